using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

/// <summary>
/// The acquire and release fast path (pipelined create and listing, a watch on our own node instead of an ownership
/// read and a removeWatches, hand-over without a listing) never grants two holders or a node of a dead session.
/// </summary>
[Collection(LocksCollection.Name)]
public sealed class FastPathTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/locks/fast";

    [Fact]
    public async Task AHandOffPastACancelledMiddleWaiterNeverGrantsWhileTheHolderHolds()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AHandOffPastACancelledMiddleWaiterNeverGrantsWhileTheHolderHolds));
        var (connA, connB, connC) = (await kit.ConnectAsync(), await kit.ConnectAsync(), await kit.ConnectAsync());
        var held = await new ZooKeeperMutex(connA, LockPath).AcquireAsync(LockTestKit.Patience);
        using var cancelMiddle = new CancellationTokenSource();
        var middle = new ZooKeeperMutex(connB, LockPath).AcquireAsync(null, cancelMiddle.Token);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the middle waiter to queue");
        var last = new ZooKeeperMutex(connC, LockPath).AcquireAsync(LockTestKit.Patience * 3);
        var names = ProtectedNodeName.Sort(await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 3, "the last waiter to queue"), ["lock-"]);
        var (b, c) = (connB.CurrentSession!.SessionId, connC.CurrentSession!.SessionId);
        await kit.WatchersEventuallyAsync(LockPath + "/" + names[1], [b, c], "the last waiter to watch the middle one");

        await cancelMiddle.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LockTestKit.WithinAsync(middle, "the cancelled acquire"));

        // The last waiter drops the middle one from its list and waits for the holder: not granted. (The holder never
        // read its LostToken, so it has no watch on its own node.)
        await kit.WatchersEventuallyAsync(LockPath + "/" + names[0], [c], "the last waiter to watch the holder");
        Assert.Equal([names[0], names[2]], ProtectedNodeName.Sort(await kit.ChildrenAsync(LockPath), ["lock-"]));
        Assert.False(last.IsCompleted, "granted while the holder still holds");

        var token = held.FencingToken;
        await held.DisposeAsync();
        await using var next = await LockTestKit.WithinAsync(last, "the last waiter's turn");
        Assert.Equal(LockPath + "/" + names[2], next.NodePath);
        Assert.True(next.FencingToken > token);
        Assert.False(held.IsLost);
    }

    [Fact]
    public async Task AHolderThatReacquiresAfterAnotherJoinedWaitsItsTurn()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AHolderThatReacquiresAfterAnotherJoinedWaitsItsTurn));
        var (connA, connB) = (await kit.ConnectAsync(), await kit.ConnectAsync());
        var mine = new ZooKeeperMutex(connA, LockPath);

        // Uncontended cycles: once nothing but our own create and delete happen in between, a re-acquire needs no listing.
        long lastToken = 0;
        for (var round = 0; round < 5; round++)
        {
            await using var handle = await mine.AcquireAsync(LockTestKit.Patience);
            Assert.True(handle.FencingToken > lastToken);
            lastToken = handle.FencingToken;
        }

        // Someone else takes the lock between our release and our next acquire: we must see them and wait.
        var theirs = await new ZooKeeperMutex(connB, LockPath).AcquireAsync(LockTestKit.Patience);
        Assert.Null(await mine.TryAcquireAsync(TimeSpan.Zero));
        var waiting = mine.AcquireAsync(LockTestKit.Patience * 3);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "our waiting acquire to queue");
        Assert.False(waiting.IsCompleted, "granted while the other holder holds");

        await theirs.DisposeAsync();
        await using var next = await LockTestKit.WithinAsync(waiting, "our turn after theirs");
        Assert.True(next.FencingToken > theirs.FencingToken);
        Assert.Equal([PathUtils.GetNodeName(next.NodePath)], await kit.ChildrenAsync(LockPath));
    }

    [Fact]
    public async Task OurNodeDeletedWhileWaitingQueuesAgainWithANewNode()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(OurNodeDeletedWhileWaitingQueuesAgainWithANewNode));
        var (connA, connB) = (await kit.ConnectAsync(), await kit.ConnectAsync());
        var held = await new ZooKeeperMutex(connA, LockPath).AcquireAsync(LockTestKit.Patience);
        var waiting = new ZooKeeperMutex(connB, LockPath).AcquireAsync(LockTestKit.Patience * 3);
        var names = ProtectedNodeName.Sort(await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the waiter to queue"), ["lock-"]);
        _ = held.LostToken; // the holder asks: its node is watched too
        await kit.WatchersEventuallyAsync(LockPath + "/" + names[0], [connA.CurrentSession!.SessionId, connB.CurrentSession!.SessionId], "the waiter to watch the holder");

        await kit.Observer.ExecuteAsync(async (client, ct) => { await client.DeleteAsync(LockPath + "/" + names[1], -1, ct); return true; });

        var requeued = await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2 && !c.Contains(names[1]), "the waiter to queue again with a new node");
        var fresh = requeued.Single(n => n != names[0]);
        await kit.WatchersEventuallyAsync(LockPath + "/" + names[0], [connA.CurrentSession!.SessionId, connB.CurrentSession!.SessionId], "the new node's waiter to watch the holder");
        Assert.False(waiting.IsCompleted, "granted while the holder still holds");

        await held.DisposeAsync();
        await using var next = await LockTestKit.WithinAsync(waiting, "the waiter's turn");
        Assert.Equal(LockPath + "/" + fresh, next.NodePath);
        Assert.False(next.IsLost);
    }

    [Fact]
    public async Task ASessionKilledDuringThePipelinedAcquireNeverLeavesAGrantOnTheDeadSession()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ASessionKilledDuringThePipelinedAcquireNeverLeavesAGrantOnTheDeadSession));
        var connection = await kit.ConnectAsync();
        var mutex = new ZooKeeperMutex(connection, LockPath);
        for (var round = 0; round < 3; round++)
        {
            var dead = (await connection.WaitForSessionAsync()).SessionId;
            var kill = ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, connection.CurrentSession!.Client);
            var acquiring = mutex.AcquireAsync(LockTestKit.Patience * 3);
            await kill;
            await using var handle = await LockTestKit.WithinAsync(acquiring, "the acquire to end");
            var stat = await kit.Observer.ExecuteAsync((client, ct) => client.ExistsAsync(handle.NodePath, null, ct));
            output.WriteLine($"round {round}: node {handle.NodePath}, owner 0x{stat?.EphemeralOwner ?? 0:x}, killed 0x{dead:x}");
            if (stat is null || stat.EphemeralOwner == dead)
            {
                // Granted just before the kill took effect: the handle must learn it has lost the lock.
                await LockTestKit.WithinAsync(LockTestKit.WhenFired(handle.LostToken), "the dead session's handle to be lost");
            }
            else
            {
                Assert.NotEqual(dead, stat.EphemeralOwner);
                Assert.Equal(connection.CurrentSession!.SessionId, stat.EphemeralOwner);
                Assert.False(handle.IsLost);
            }
        }

        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 0, "no node left behind");
    }

    [Fact]
    public async Task ReleaseConsumesTheWatchOnOurNodeWithoutFiringLostToken()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ReleaseConsumesTheWatchOnOurNodeWithoutFiringLostToken));
        var connection = await kit.ConnectAsync();
        var handle = await new ZooKeeperMutex(connection, LockPath).AcquireAsync(LockTestKit.Patience);
        var nodePath = handle.NodePath;
        Assert.False(handle.LostToken.IsCancellationRequested); // reading the token starts the watch on our node
        await kit.WatchersEventuallyAsync(nodePath, [connection.CurrentSession!.SessionId], "our node's watch");

        await handle.DisposeAsync();

        await kit.WatchersEventuallyAsync(nodePath, [], "no watch left after the release");
        Assert.Empty(await kit.ChildrenAsync(LockPath));
        Assert.False(handle.IsLost);
        Assert.Null(await kit.Observer.ExecuteAsync((client, ct) => client.ExistsAsync(nodePath, null, ct)));
    }

    [Fact]
    public async Task AWaitingReaderIsGrantedWhenTheWriterAheadReleases()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AWaitingReaderIsGrantedWhenTheWriterAheadReleases));
        var (connW, connR, connW2) = (await kit.ConnectAsync(), await kit.ConnectAsync(), await kit.ConnectAsync());
        var writer = await new ZooKeeperReadWriteLock(connW, LockPath).WriteLock.AcquireAsync(LockTestKit.Patience);
        var reader = new ZooKeeperReadWriteLock(connR, LockPath).ReadLock.AcquireAsync(LockTestKit.Patience * 3);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the reader to queue");
        var laterWriter = new ZooKeeperReadWriteLock(connW2, LockPath).WriteLock.AcquireAsync(LockTestKit.Patience * 3);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 3, "the later writer to queue");

        await writer.DisposeAsync();

        // The reader is granted from the writer's delete notification; the writer behind it keeps waiting.
        await using var read = await LockTestKit.WithinAsync(reader, "the reader's turn");
        Assert.False(laterWriter.IsCompleted, "a writer granted while a reader holds");
        await read.DisposeAsync();
        await using var write = await LockTestKit.WithinAsync(laterWriter, "the later writer's turn");
        Assert.True(write.FencingToken > read.FencingToken);
    }
}
