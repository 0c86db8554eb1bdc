using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Recipes.Testing.Internal;
using Recipes.Testing.Xunit;

namespace Recipes.Testing.Tests;

[Collection(ZooKeeperCollection.Name)]
public sealed class FaultProxyTests(ZooKeeperServerFixture zk)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Pass_forwards_in_both_directions_and_counts()
    {
        await using var proxy = FaultProxy.Start(zk.Server);
        Assert.Equal(("127.0.0.1", zk.Server.Port), (proxy.UpstreamHost, proxy.UpstreamPort));
        Assert.Equal(FaultMode.Pass, proxy.Mode);
        Assert.Equal($"127.0.0.1:{proxy.Port}", proxy.ConnectionString);
        Assert.Equal("imok", await RuokAsync(proxy, CancellationToken.None));
        Assert.Equal(1, proxy.ConnectionCount);
        Assert.Equal(4, proxy.BytesToUpstream);
        Assert.Equal(4, proxy.BytesToClient);
        Assert.Equal(8, proxy.BytesForwarded);
    }

    [Fact]
    public async Task Blackhole_silences_new_connections_until_healed()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        proxy.Mode = FaultMode.Blackhole;
        using (var silence = new CancellationTokenSource(Silence))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RuokAsync(proxy, silence.Token));
        }

        Assert.Equal("imok", await zk.Server.SendFourLetterWordAsync("ruok"));
        Assert.Equal(0, proxy.BytesForwarded);
        Assert.Equal(4, proxy.BytesDropped);

        proxy.Heal();
        Assert.Equal("imok", await RuokAsync(proxy, CancellationToken.None));
    }

    [Fact]
    public async Task Blackhole_silences_an_open_session_and_heal_resumes_it()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        var (connection, _) = await RawRequests.NewSessionAsync(proxy.Port, CancellationToken.None);
        await using (connection)
        {
            proxy.Mode = FaultMode.Blackhole;
            await connection.SendRequestAsync(-2, RawRequests.PingOp, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
            var reply = connection.ReadFrameAsync(CancellationToken.None);
            Assert.NotSame(reply, await Task.WhenAny(reply, Task.Delay(Silence)));
            Assert.True(proxy.Connections.Single().IsOpen);

            proxy.Heal();
            await connection.SendRequestAsync(-2, RawRequests.PingOp, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
            var frame = await Eventually.WithinAsync(reply, Timeout, "the ping reply after healing");
            Assert.NotNull(frame);
            Assert.Equal(-2, RawZooKeeperConnection.ParseReplyHeader(frame).Xid);
        }
    }

    [Fact]
    public async Task Stall_holds_an_open_sessions_traffic_and_delivers_it_in_order_when_healed()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        var (connection, _) = await RawRequests.NewSessionAsync(proxy.Port, CancellationToken.None);
        await using (connection)
        {
            proxy.Mode = FaultMode.Stall;
            var forwarded = proxy.BytesForwarded;
            var toUpstream = proxy.BytesToUpstream;
            var found = RawRequests.Exists("/zookeeper");
            var missing = RawRequests.Exists("/no-such-node-" + Guid.NewGuid().ToString("N"));
            await connection.SendRequestAsync(10, RawRequests.ExistsOp, found, CancellationToken.None);
            await connection.SendRequestAsync(11, RawRequests.ExistsOp, missing, CancellationToken.None);
            var frames = 2 * 12 + found.Length + missing.Length; // length prefix, xid and op per request, then the body

            // The proxy has both requests and holds them: the server never saw them, so no reply can exist yet.
            await Eventually.HoldsAsync(() => proxy.BytesHeld == frames, Timeout, "the stall to hold both requests");
            var first = connection.ReadFrameAsync(CancellationToken.None);
            Assert.False(first.IsCompleted);
            Assert.Equal(forwarded, proxy.BytesForwarded);
            Assert.Equal(0, proxy.BytesDropped);
            Assert.True(proxy.Connections.Single().IsOpen);

            // Healed: both are delivered (nothing lost, unlike a blackhole) and answered in order.
            proxy.Heal();
            var (xid1, _, error1) = RawZooKeeperConnection.ParseReplyHeader(await Eventually.WithinAsync(first, Timeout, "the first reply") ?? []);
            var (xid2, _, error2) = RawZooKeeperConnection.ParseReplyHeader(await Eventually.WithinAsync(connection.ReadFrameAsync(CancellationToken.None), Timeout, "the second reply") ?? []);
            Assert.Equal((10, 0), (xid1, error1));
            Assert.Equal((11, RawRequests.NoNode), (xid2, error2));
            await Eventually.HoldsAsync(() => proxy.BytesHeld == 0, Timeout, "nothing held after healing");
            Assert.Equal(toUpstream + frames, proxy.BytesToUpstream);
        }
    }

    [Fact]
    public async Task Reset_aborts_current_connections()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        var (connection, _) = await RawRequests.NewSessionAsync(proxy.Port, CancellationToken.None);
        await using (connection)
        {
            Assert.Single(proxy.Connections);
            var closed = RawRequests.ReadUntilClosedAsync(connection, CancellationToken.None);
            proxy.Reset();
            Assert.True(await Eventually.WithinAsync(closed, Timeout, "the client connection to be reset"));
            await Eventually.HoldsAsync(() => proxy.Connections.Count == 0, Timeout, "the proxy to forget the connection");
        }

        Assert.Equal("imok", await RuokAsync(proxy, CancellationToken.None));
    }

    [Fact]
    public async Task Latency_delays_each_direction()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        proxy.Latency = TimeSpan.FromMilliseconds(300);
        proxy.Mode = FaultMode.Latency;
        var stopwatch = Stopwatch.StartNew();
        Assert.Equal("imok", await RuokAsync(proxy, CancellationToken.None));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(300), $"took {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task SlowTrickle_limits_the_rate()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        proxy.TrickleBytes = 1;
        proxy.TrickleInterval = TimeSpan.FromMilliseconds(100);
        proxy.Mode = FaultMode.SlowTrickle;
        var stopwatch = Stopwatch.StartNew();
        Assert.Equal("imok", await RuokAsync(proxy, CancellationToken.None));

        // Four bytes each way, one per 100 ms: at least three pauses in each direction.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(300), $"took {stopwatch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Refuse_resets_new_connections()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        proxy.Mode = FaultMode.Refuse;
        try
        {
            Assert.NotEqual("imok", await RuokAsync(proxy, CancellationToken.None));
        }
        catch (SocketException)
        {
            // Reset: what a refused connection looks like here.
        }

        Assert.Equal(1, proxy.ConnectionCount);
        proxy.Heal();
        Assert.Equal("imok", await RuokAsync(proxy, CancellationToken.None));
    }

    [Fact]
    public async Task A_connection_can_have_its_own_mode()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        var (first, _) = await RawRequests.NewSessionAsync(proxy.Port, CancellationToken.None);
        var (second, _) = await RawRequests.NewSessionAsync(proxy.Port, CancellationToken.None);
        await using (first)
        await using (second)
        {
            var firstThroughProxy = proxy.Connections.Single(c => ((IPEndPoint)c.ClientEndPoint!).Port == ((IPEndPoint)first.LocalEndPoint!).Port);
            firstThroughProxy.Mode = FaultMode.Blackhole;
            Assert.Equal(FaultMode.Blackhole, firstThroughProxy.EffectiveMode);

            await first.SendRequestAsync(-2, RawRequests.PingOp, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
            await second.SendRequestAsync(-2, RawRequests.PingOp, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
            var firstReply = first.ReadFrameAsync(CancellationToken.None);
            var secondReply = await Eventually.WithinAsync(second.ReadFrameAsync(CancellationToken.None), Timeout, "the second connection's ping reply");
            Assert.NotNull(secondReply);
            Assert.NotSame(firstReply, await Task.WhenAny(firstReply, Task.Delay(Silence)));

            firstThroughProxy.Mode = null;
            Assert.Equal(FaultMode.Pass, firstThroughProxy.EffectiveMode);
            await first.SendRequestAsync(-2, RawRequests.PingOp, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
            Assert.NotNull(await Eventually.WithinAsync(firstReply, Timeout, "the first connection's ping reply once resumed"));

            firstThroughProxy.Reset();
            Assert.True(await Eventually.WithinAsync(RawRequests.ReadUntilClosedAsync(first, CancellationToken.None), Timeout, "the first connection to be reset"));
            await second.SendRequestAsync(-2, RawRequests.PingOp, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
            Assert.NotNull(await Eventually.WithinAsync(second.ReadFrameAsync(CancellationToken.None), Timeout, "the second connection to live on"));
        }
    }

    [Fact]
    public async Task Dispose_closes_connections_and_the_listener()
    {
        var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        var port = proxy.Port;
        var (connection, _) = await RawRequests.NewSessionAsync(proxy.Port, CancellationToken.None);
        await using (connection)
        {
            var closed = RawRequests.ReadUntilClosedAsync(connection, CancellationToken.None);
            await proxy.DisposeAsync();
            Assert.True(await Eventually.WithinAsync(closed, Timeout, "the client connection to close"));
            await Assert.ThrowsAnyAsync<SocketException>(() => FourLetterWords.SendAsync("127.0.0.1", port, "ruok"));
            await proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task Upstream_down_resets_the_client()
    {
        var deadPort = FreePorts.Allocate(1)[0];
        await using var proxy = FaultProxy.Start("127.0.0.1", deadPort);
        try
        {
            Assert.Equal("", await RuokAsync(proxy, new CancellationTokenSource(Timeout).Token));
        }
        catch (SocketException)
        {
        }
    }

    private static Task<string> RuokAsync(FaultProxy proxy, CancellationToken cancellationToken)
        => FourLetterWords.SendAsync("127.0.0.1", proxy.Port, "ruok", cancellationToken);
}
