using System.Diagnostics;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

[Collection(LocksCollection.Name)]
public sealed class LockLossTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/locks/loss";

    [Fact]
    public async Task APartitionedHolderLearnsOfTheLossBeforeAnotherContenderIsGranted()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(APartitionedHolderLearnsOfTheLossBeforeAnotherContenderIsGranted));
        var holder = new ZooKeeperMutex(await kit.ConnectAsync(proxy.ConnectionString), LockPath);
        var contender = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        var held = await holder.AcquireAsync(LockTestKit.Patience);
        var waiting = contender.AcquireAsync(TimeSpan.FromSeconds(12));
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the contender to queue");

        var clock = Stopwatch.StartNew();
        long lostAt = -1;
        held.LostToken.Register(() => Interlocked.Exchange(ref lostAt, clock.ElapsedTicks));
        proxy.Mode = FaultMode.Blackhole;

        await using var next = await waiting;
        var grantedAt = clock.ElapsedTicks;
        var lost = Interlocked.Read(ref lostAt);
        output.WriteLine($"lost after {TimeSpan.FromTicks(lost * TimeSpan.TicksPerSecond / Stopwatch.Frequency)}, granted after {TimeSpan.FromTicks(grantedAt * TimeSpan.TicksPerSecond / Stopwatch.Frequency)}");
        Assert.True(lost >= 0, "the partitioned holder's LostToken must have fired before the next holder was granted");
        Assert.True(lost < grantedAt);
        Assert.True(next.FencingToken > held.FencingToken);
        proxy.Heal();
        await held.DisposeAsync();
    }

    [Fact]
    public async Task AServerSideSessionKillFiresLostTokenAndTheNextTokenIsHigher()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AServerSideSessionKillFiresLostTokenAndTheNextTokenIsHigher));
        var holderConnection = await kit.ConnectAsync();
        var holder = new ZooKeeperMutex(holderConnection, LockPath);
        var contender = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        await using var held = await holder.AcquireAsync(LockTestKit.Patience);
        var waiting = contender.AcquireAsync(LockTestKit.Patience);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the contender to queue");

        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, holderConnection.CurrentSession!.Client);

        await LockTestKit.WithinAsync(LockTestKit.WhenFired(held.LostToken), "the holder's LostToken");
        await using var next = await LockTestKit.WithinAsync(waiting, "the next holder");
        Assert.True(next.FencingToken > held.FencingToken);
    }

    [Fact]
    public async Task AConnectionBlipShorterThanTheGraceKeepsTheLock()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AConnectionBlipShorterThanTheGraceKeepsTheLock));
        var holderConnection = await kit.ConnectAsync(proxy.ConnectionString);
        var holder = new ZooKeeperMutex(holderConnection, LockPath);
        var contender = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        await using var held = await holder.AcquireAsync(LockTestKit.Patience);
        var sessionId = holderConnection.CurrentSession!.SessionId;
        var reconnected = new TaskCompletionSource<ConnectionStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        var suspended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        holderConnection.StateChanged += (_, change) =>
        {
            if (change.State == ConnectionState.Suspended)
            {
                suspended.TrySetResult();
            }
            else if (change.State == ConnectionState.Reconnected)
            {
                reconnected.TrySetResult(change);
            }
        };

        proxy.Reset();

        await LockTestKit.WithinAsync(suspended.Task, "the holder to notice the blip");
        var change = await LockTestKit.WithinAsync(reconnected.Task, "the holder to reconnect");
        Assert.False(change.IsNewSession);
        Assert.Equal(sessionId, change.SessionId);
        Assert.False(held.IsLost);
        Assert.Null(await contender.TryAcquireAsync(TimeSpan.FromMilliseconds(500)));
        Assert.False(held.IsLost);
        Assert.Contains(held.NodePath[(LockPath.Length + 1)..], await kit.ChildrenAsync(LockPath));
    }

    [Fact]
    public async Task OurNodeDeletedBySomeoneElseFiresLostToken()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(OurNodeDeletedBySomeoneElseFiresLostToken));
        var holder = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        await using var held = await holder.AcquireAsync(LockTestKit.Patience);
        Assert.False(held.IsLost);

        await kit.Observer.ExecuteAsync(async (c, ct) => { await c.DeleteAsync(held.NodePath, -1, ct); return true; });

        await LockTestKit.WithinAsync(LockTestKit.WhenFired(held.LostToken), "the holder's LostToken");
        Assert.True(held.IsLost);
    }

    [Fact]
    public async Task ATokenFirstReadAfterSomeoneDeletedOurNodeFiresToo()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ATokenFirstReadAfterSomeoneDeletedOurNodeFiresToo));
        var holder = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        await using var held = await holder.AcquireAsync(LockTestKit.Patience);

        // Nobody has asked yet, so our node is not watched: the first read of the token looks and finds it gone.
        await kit.Observer.ExecuteAsync(async (c, ct) => { await c.DeleteAsync(held.NodePath, -1, ct); return true; });

        await LockTestKit.WithinAsync(LockTestKit.WhenFired(held.LostToken), "the holder's LostToken");
        Assert.True(held.IsLost);
    }

    [Fact]
    public async Task AnUncontendedHolderWatchesItsNodeOnlyOnceItAsksAboutLoss()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AnUncontendedHolderWatchesItsNodeOnlyOnceItAsksAboutLoss));
        var connection = await kit.ConnectAsync();
        var session = connection.CurrentSession!;
        await using var held = await new ZooKeeperMutex(connection, LockPath).AcquireAsync(LockTestKit.Patience);

        // A request on the same session after the acquire: anything the acquire sent has been served by its reply.
        Assert.NotNull(await session.Client.ExistsAsync(held.NodePath, null, CancellationToken.None));
        var watches = FourLetterWords.ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp"));
        Assert.False(watches.ContainsKey(kit.Root + held.NodePath), "the acquire sent a watch on our node nobody asked for");

        Assert.False(held.LostToken.IsCancellationRequested);
        await kit.WatchersEventuallyAsync(held.NodePath, [session.SessionId], "our node's watch once the token was read");
    }
}
