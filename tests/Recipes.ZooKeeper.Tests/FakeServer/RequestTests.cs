using Recipes.ZooKeeper.Protocol;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>Requests that never reach the wire (too large, cancelled) and what that does to reply matching.</summary>
public sealed class RequestTests
{
    private static readonly TimeSpan Timeout = FakeSession.Timeout;

    [Fact]
    public async Task Requests_larger_than_MaxOutgoingFrameSize_fail_before_anything_is_sent()
    {
        await using var session = await FakeSession.StartAsync(o => o.MaxOutgoingFrameSize = 1024);

        // Thrown synchronously, before the request is queued.
        var tooMuchData = Assert.Throws<ArgumentException>(() => { _ = session.Client.SetDataAsync("/a", new byte[1000]); });
        Assert.Contains("1000 bytes", tooMuchData.Message, StringComparison.Ordinal);

        var longPath = "/" + new string('x', 1100);
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => session.Client.CreateAsync(longPath, null).WaitAsync(Timeout));
        Assert.Contains("1024-byte limit", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent", tooLong.Message, StringComparison.Ordinal);

        // The next frame the server sees is the next request: nothing of the large ones went out.
        var ok = session.Client.GetDataAsync("/ok");
        var request = await session.Connection.ReadRequestAsync();
        Assert.Equal(OpCode.GetData, request.Type);
        Assert.Equal("/ok", request.Path);
        await session.Connection.ReplyAsync(request, Frames.DataBody([1]));
        Assert.Equal([1], (await ok.WaitAsync(Timeout)).Data);
        Assert.Equal(ZooKeeperState.Connected, session.Client.State);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_is_never_sent_and_later_replies_still_match()
    {
        await using var session = FakeSession.Create();
        var connection = await session.Server.AcceptAsync();

        // Not connected yet: the requests wait in the client's queue.
        using var cancel = new CancellationTokenSource();
        var first = session.Client.GetDataAsync("/first");
        var cancelled = session.Client.GetDataAsync("/cancelled", cancellationToken: cancel.Token);
        var third = session.Client.GetDataAsync("/third");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));
        Assert.True(cancelled.IsCanceled);

        await connection.SendConnectResponseAsync();
        var requests = await connection.ReadRequestsAsync(2);
        Assert.Equal(["/first", "/third"], requests.Select(r => r.Path));
        await connection.SendAsync(Frames.Concat(
            Frames.Reply(requests[0].Xid, body: Frames.DataBody([1])),
            Frames.Reply(requests[1].Xid, body: Frames.DataBody([3]))));

        Assert.Equal([1], (await first.WaitAsync(Timeout)).Data);
        Assert.Equal([3], (await third.WaitAsync(Timeout)).Data);
    }

    [Fact]
    public async Task A_request_cancelled_after_it_was_sent_completes_as_cancelled_and_its_reply_is_consumed()
    {
        await using var session = await FakeSession.StartAsync();
        using var cancel = new CancellationTokenSource();
        var first = session.Client.GetDataAsync("/first");
        var cancelled = session.Client.GetDataAsync("/cancelled", cancellationToken: cancel.Token);
        var third = session.Client.GetDataAsync("/third");
        var requests = await session.Connection.ReadRequestsAsync(3);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));

        await session.Connection.SendAsync(Frames.Concat(
            Frames.Reply(requests[0].Xid, body: Frames.DataBody([1])),
            Frames.Reply(requests[1].Xid, body: Frames.DataBody([2])),
            Frames.Reply(requests[2].Xid, body: Frames.DataBody([3]))));

        Assert.Equal([1], (await first.WaitAsync(Timeout)).Data);
        Assert.Equal([3], (await third.WaitAsync(Timeout)).Data);
        Assert.True(cancelled.IsCanceled);
        Assert.Equal(ZooKeeperState.Connected, session.Client.State);
    }

    [Fact]
    public async Task Xids_increase_from_one_per_request()
    {
        await using var session = await FakeSession.StartAsync();
        var tasks = new[] { session.Client.SyncAsync("/a"), session.Client.SyncAsync("/b"), session.Client.SyncAsync("/c") };

        var requests = await session.Connection.ReadRequestsAsync(3);
        Assert.Equal([1, 2, 3], requests.Select(r => r.Xid));
        Assert.All(requests, r => Assert.Equal(OpCode.Sync, r.Type));
        foreach (var request in requests)
        {
            await session.Connection.ReplyAsync(request, w => w.WriteString(request.Path));
        }

        await Task.WhenAll(tasks).WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_script_can_serve_requests_and_close_on_one()
    {
        await using var session = await FakeSession.StartAsync();
        var serving = session.Connection.ServeAsync(request => request.Path switch
        {
            "/close" => Reaction.Close,
            _ => Reaction.Answer(Frames.Reply(request.Xid, body: Frames.DataBody("ok"u8.ToArray()))),
        });

        Assert.Equal("ok"u8.ToArray(), (await session.Client.GetDataAsync("/a").WaitAsync(Timeout)).Data);
        await Assert.ThrowsAsync<ConnectionLossException>(() => session.Client.GetDataAsync("/close").WaitAsync(Timeout));
        await serving.WaitAsync(Timeout);
        await session.AcceptReconnectAsync();
    }
}
