using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Testing.Tests;

/// <summary>A simulated GC pause of a client: it keeps believing its session is fine while the server expires it.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ProcessPauseTests(ZooKeeperServerFixture zk)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_paused_client_sees_nothing_while_its_session_expires_and_learns_it_when_it_runs_again()
    {
        var clock = new PausableTimeProvider();
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var paused = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectionString = proxy.ConnectionString,
            SessionTimeout = TimeSpan.FromSeconds(2),
            TimeProvider = clock,
        });
        await using var observer = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString });
        var path = "/pause-" + Guid.NewGuid().ToString("N")[..8];
        await paused.CreateAsync(path, null, CreateMode.Ephemeral);

        await using (var pause = ProcessPause.Begin(clock, proxy))
        {
            Assert.True(clock.IsPaused);
            Assert.Equal(FaultMode.Blackhole, proxy.Mode);

            // The server expires the silent session and deletes its ephemeral node...
            await Eventually.HoldsAsync(async () => await observer.ExistsAsync(path) is null, Patience, "the paused session's ephemeral node is deleted");

            // ...while the paused client, hearing nothing and with no timer running, still believes it is connected.
            Assert.Equal(ZooKeeperState.Connected, paused.State);
        }

        Assert.False(clock.IsPaused);
        Assert.Equal(FaultMode.Pass, proxy.Mode);
        await Eventually.HoldsAsync(() => paused.State == ZooKeeperState.Expired, Patience, "the resumed client learns its session expired");
    }

    [Fact]
    public async Task A_pause_restores_each_proxys_own_mode()
    {
        var clock = new PausableTimeProvider();
        await using var a = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var b = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        b.Mode = FaultMode.Latency;

        var pause = ProcessPause.Begin(clock, [a, b]);
        Assert.Equal(FaultMode.Blackhole, a.Mode);
        Assert.Equal(FaultMode.Blackhole, b.Mode);
        await pause.EndAsync();
        await pause.DisposeAsync();
        Assert.True(pause.HasEnded);
        Assert.Equal(FaultMode.Pass, a.Mode);
        Assert.Equal(FaultMode.Latency, b.Mode);
        Assert.False(clock.IsPaused);
        Assert.Throws<ArgumentException>(() => ProcessPause.Begin(clock, []));
    }

    [Fact]
    public async Task A_client_behind_a_slow_trickle_gets_whole_replies_from_tiny_delayed_chunks()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = proxy.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(10) });
        var path = "/trickle-" + Guid.NewGuid().ToString("N")[..8];
        var data = new byte[2000];
        new Random(7).NextBytes(data);
        await client.CreateAsync(path, data, CreateMode.Ephemeral);

        proxy.TrickleBytes = 64;
        proxy.TrickleInterval = TimeSpan.FromMilliseconds(5);
        proxy.Mode = FaultMode.SlowTrickle;
        var before = proxy.BytesToClient;
        var read = await client.GetDataAsync(path).WaitAsync(Patience);
        Assert.Equal(data, read.Data);
        Assert.True(proxy.BytesToClient - before >= data.Length, "the reply went through the trickling proxy");
        Assert.Equal(ZooKeeperState.Connected, client.State);
    }
}
