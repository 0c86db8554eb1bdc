using System.Diagnostics;
using Recipes.ZooKeeper.Protocol;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>Keep-alive: pings when idle, and a dead-connection check when the server goes silent.</summary>
public sealed class PingTests
{
    // Read time-out 2000 ms, ping every 1000 ms. Short enough for a fast test, long enough for a loaded machine.
    private const int NegotiatedMs = 3000;

    // The default connect time-out follows the negotiated session timeout; keep reconnects unhurried.
    private static readonly Action<ZooKeeperClientOptions> Unhurried = o => o.ConnectTimeout = FakeSession.Timeout;

    [Fact]
    public async Task An_idle_client_pings_and_answered_pings_keep_the_connection()
    {
        await using var session = await FakeSession.StartAsync(Unhurried, negotiatedTimeoutMs: NegotiatedMs);

        // Three pings answered in turn span more than the 2000 ms read time-out.
        for (var i = 0; i < 3; i++)
        {
            var ping = await session.Connection.ReadRequestAsync(skipPings: false);
            Assert.Equal(Xids.Ping, ping.Xid);
            Assert.Equal(OpCode.Ping, ping.Type);
            Assert.Empty(ping.Body);
        }

        Assert.Equal(ZooKeeperState.Connected, session.Client.State);
        Assert.Equal(0, session.Server.WaitingConnections);
        Assert.DoesNotContain(ZooKeeperState.Connecting, session.States.States);
    }

    [Fact]
    public async Task A_ping_reply_advances_the_last_server_contact()
    {
        await using var session = await FakeSession.StartAsync(Unhurried, negotiatedTimeoutMs: NegotiatedMs);
        var before = session.Client.LastServerContactTimestamp;

        session.Connection.AnswerPings = false;
        var ping = await session.Connection.ReadRequestAsync(skipPings: false);
        Assert.Equal(before, session.Client.LastServerContactTimestamp);
        await session.Connection.ReplyAsync(ping);

        // The reply is processed on the client's reader: wait for it through a request that follows it.
        session.Connection.AnswerPings = true;
        var sync = session.Client.SyncAsync("/");
        var request = await session.Connection.ReadRequestAsync();
        await session.Connection.ReplyAsync(request, w => w.WriteString("/"));
        await sync.WaitAsync(FakeSession.Timeout);
        Assert.True(session.Client.LastServerContactTimestamp > before);
    }

    [Fact]
    public async Task A_silent_server_is_dropped_after_the_read_timeout_and_the_session_reconnects()
    {
        await using var session = FakeSession.Create(Unhurried);
        var first = await session.Server.AcceptAsync();
        first.AnswerPings = false;
        var stopwatch = Stopwatch.StartNew();
        await first.SendConnectResponseAsync(NegotiatedMs);
        await session.Client.WaitForConnectedAsync().WaitAsync(FakeSession.Timeout);

        // Read (and ignore) whatever the client sends until it gives up on this connection.
        await first.WaitForClientCloseAsync();
        var elapsed = stopwatch.Elapsed;
        Assert.True(first.PingsSeen >= 1, "The client should have pinged before giving up.");
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(1950), $"The client gave up after {elapsed.TotalMilliseconds} ms, before the 2000 ms read time-out.");

        await session.States.WaitForAsync(ZooKeeperState.Connecting);
        Assert.Contains(session.Logs.Messages, m => m.Contains("heard nothing", StringComparison.Ordinal));
        var second = await session.AcceptReconnectAsync();
        Assert.Equal(30_000, second.ConnectRequest.TimeOut);
    }
}
