using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Nodes;

/// <summary>
/// The fast path of <see cref="SequentialNodeQueue"/>: <see cref="SequentialNodeQueue.JoinAsync"/> (create and listing
/// pipelined, a watch on our own node instead of an ownership read) and the hand-over without a listing for
/// predecessor-only predicates. Each test counts the reads it expects and checks it never grants wrongly.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class QueueEntryTests(ZooKeeperServerFixture zk)
{
    private static readonly Func<IReadOnlyList<string>, int, QueueDecision> Mutex = SequentialNodeQueue.WithinFirst(1);

    [Fact]
    public async Task AnUncontendedJoinIsGrantedWithOneCreateOneListingAndOneWatch()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(AnUncontendedJoinIsGrantedWithOneCreateOneListingAndOneWatch));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var client = new InterceptingClient(real);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true };

        var entry = await queue.JoinAsync("lock-", [7], NodeTestKit.SessionOf(client), CancellationToken.None);
        var result = await queue.WaitForTurnAsync(entry, Mutex, null, CancellationToken.None);

        Assert.Equal(QueueOutcome.Granted, result.Outcome);
        Assert.Matches(@"^_c_[0-9a-f-]{36}-lock-\d{10}$", entry.Node.Name);
        Assert.Equal((1, 1, 1, 0), (client.CreateCalls, client.GetChildrenCalls, client.GetDataCalls, client.ExistsCalls));
        Assert.True(await entry.Watch.Confirmed);
        var stat = await real.ExistsAsync(entry.Node.Path);
        Assert.Equal(real.SessionId, stat!.EphemeralOwner);
        Assert.Equal(entry.Node.Czxid, stat.Czxid);

        // The watch is on the server; our own delete consumes it (no removeWatches) and leaves nothing behind.
        await WatchersEventuallyAsync(root + "/" + entry.Node.Name, [real.SessionId], "our own node's watch");
        await client.DeleteAsync(entry.Node.Path);
        await NodeTestKit.WithinAsync(WhenFired(entry.Watch.LostToken), "the watch to see our own delete");
        Assert.Equal(0, client.RemoveWatchesCalls);
        await WatchersEventuallyAsync(root + "/" + entry.Node.Name, [], "no watch left on the deleted node");
    }

    [Fact]
    public async Task JoiningUnderAMissingParentCreatesItAndStillGrants()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(JoiningUnderAMissingParentCreatesItAndStillGrants));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root + "/a/b", "lock-") { PredecessorsOnly = true };

        var entry = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(real), CancellationToken.None);
        var result = await queue.WaitForTurnAsync(entry, Mutex, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(QueueOutcome.Granted, result.Outcome);
        Assert.Equal([entry.Node.Name], await NodeTestKit.ChildrenAsync(real, root + "/a/b"));
        Assert.Equal(real.SessionId, (await real.ExistsAsync(entry.Node.Path))!.EphemeralOwner);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(2, 1)]
    public async Task AHandOffPastACancelledMiddleWaiterNeverSkipsTheHolderAndTheLastHandOffNeedsNoListing(int watchAheadLimit, int listings)
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(AHandOffPastACancelledMiddleWaiterNeverSkipsTheHolderAndTheLastHandOffNeedsNoListing) + watchAheadLimit);
        await using var a = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var b = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var realC = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var c = new InterceptingClient(realC);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true, WatchAheadLimit = watchAheadLimit };

        var holder = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(a), CancellationToken.None);
        Assert.True((await queue.WaitForTurnAsync(holder, Mutex, null, CancellationToken.None)).IsGranted);
        var middle = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(b), CancellationToken.None);
        using var cancelMiddle = new CancellationTokenSource();
        var middleWait = queue.WaitForTurnAsync(middle, Mutex, null, cancelMiddle.Token);
        var last = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(c), CancellationToken.None);
        var lastWait = queue.WaitForTurnAsync(last, Mutex, null, CancellationToken.None);
        await WatchersEventuallyAsync(root + "/" + middle.Node.Name, [b.SessionId, realC.SessionId], "the last waiter to watch the middle one");

        // The middle waiter gives up and deletes its node: the last one drops it and now waits for the holder.
        await cancelMiddle.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NodeTestKit.WithinAsync(middleWait, "the cancelled wait"));
        await b.DeleteAsync(middle.Node.Path);
        await WatchersEventuallyAsync(root + "/" + holder.Node.Name, [a.SessionId, realC.SessionId], "the last waiter to watch the holder");
        Assert.False(lastWait.IsCompleted, "the last waiter must not be granted while the holder holds");

        // The middle one's delete did not grant by itself. Watching only the middle one, the last waiter listed once
        // more (it cannot know whether the holder it last saw is still there); watching both, it knows the holder is
        // there. Either way the holder's delete then grants without another listing.
        Assert.Equal(listings, c.GetChildrenCalls);
        await a.DeleteAsync(holder.Node.Path);
        var granted = await NodeTestKit.WithinAsync(lastWait, "the last waiter's turn");

        Assert.Equal(QueueOutcome.Granted, granted.Outcome);
        Assert.Equal([last.Node.Name], granted.SortedNames);
        Assert.Equal(listings, c.GetChildrenCalls);
        Assert.Equal(0, c.ExistsCalls);
    }

    [Fact]
    public async Task WithoutPredecessorsOnlyEveryChangeIsListedAgain()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(WithoutPredecessorsOnlyEveryChangeIsListedAgain));
        await using var a = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var realB = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var b = new InterceptingClient(realB);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-");

        var holder = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(a), CancellationToken.None);
        var waiter = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(b), CancellationToken.None);
        var wait = queue.WaitForTurnAsync(waiter, Mutex, null, CancellationToken.None);
        await WatchersEventuallyAsync(root + "/" + holder.Node.Name, [a.SessionId, realB.SessionId], "the waiter to watch the holder");
        await a.DeleteAsync(holder.Node.Path);

        Assert.True((await NodeTestKit.WithinAsync(wait, "the waiter's turn")).IsGranted);
        Assert.Equal(2, b.GetChildrenCalls);
    }

    [Fact]
    public async Task OurNodeDeletedWhileWaitingEndsTheWaitAtOnce()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(OurNodeDeletedWhileWaitingEndsTheWaitAtOnce));
        await using var a = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var b = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true };
        var holder = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(a), CancellationToken.None);
        var waiter = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(b), CancellationToken.None);
        var wait = queue.WaitForTurnAsync(waiter, Mutex, null, CancellationToken.None);
        await WatchersEventuallyAsync(root + "/" + holder.Node.Name, [a.SessionId, b.SessionId], "the waiter to watch the holder");

        // Someone else (here the holder's session) deletes the waiter's node; the holder keeps holding.
        await a.DeleteAsync(waiter.Node.Path);

        var result = await NodeTestKit.WithinAsync(wait, "the waiter to learn its node is gone");
        Assert.Equal(QueueOutcome.NodeLost, result.Outcome);
        Assert.True(waiter.Watch.IsLost);
        Assert.False(holder.Watch.IsLost);
    }

    [Fact]
    public async Task ResumeConfirmsOwnershipBeforeGranting()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ResumeConfirmsOwnershipBeforeGranting));
        await using var owner = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var other = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true };
        var joined = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(owner), CancellationToken.None);

        var resumed = queue.Resume(joined.Node with { Session = NodeTestKit.SessionOf(owner) });
        Assert.True((await queue.WaitForTurnAsync(resumed, Mutex, TimeSpan.Zero, CancellationToken.None)).IsGranted);

        // The same node claimed for a session that does not own it: never granted (CURATOR-604).
        var foreign = queue.Resume(joined.Node with { Session = NodeTestKit.SessionOf(other) });
        var result = await queue.WaitForTurnAsync(foreign, Mutex, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(QueueOutcome.NodeLost, result.Outcome);
        Assert.False(await foreign.Watch.Confirmed);
    }

    [Fact]
    public async Task JoiningOnASessionWhoseOwnershipWasLostThrowsAndCreatesNothing()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(JoiningOnASessionWhoseOwnershipWasLostThrowsAndCreatesNothing));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var session = NodeTestKit.SessionOf(real);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true };
        session.LoseOwnership();

        await Assert.ThrowsAsync<OwnershipLostException>(() => queue.JoinAsync("lock-", null, session, CancellationToken.None));
        Assert.Empty(await NodeTestKit.ChildrenAsync(real, root));
    }

    [Fact]
    public async Task ADataChangeOnOurNodeKeepsTheWatchArmed()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ADataChangeOnOurNodeKeepsTheWatchArmed));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var meddler = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true };
        var entry = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(real), CancellationToken.None);
        await WatchersEventuallyAsync(root + "/" + entry.Node.Name, [real.SessionId], "our node's watch");

        await meddler.SetDataAsync(entry.Node.Path, [1]);
        await WatchersEventuallyAsync(root + "/" + entry.Node.Name, [real.SessionId], "the watch re-armed after the change");
        Assert.False(entry.Watch.IsLost);

        await meddler.DeleteAsync(entry.Node.Path);
        await NodeTestKit.WithinAsync(WhenFired(entry.Watch.LostToken), "the watch to see the delete");
    }

    private static Task WhenFired(CancellationToken token)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => fired.TrySetResult());
        return fired.Task;
    }

    [Fact]
    public async Task AJoinCancelledWhileItsCreateIsInFlightReturnsWithNothingLeftBehind()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(AJoinCancelledWhileItsCreateIsInFlightReturnsWithNothingLeftBehind));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var queue = new SequentialNodeQueue(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true };
        var cancelled = 0;
        for (var attempt = 0; attempt < 20 && cancelled < 5; attempt++)
        {
            // The create is on the wire when JoinAsync first yields; cancelling then nearly always beats its reply.
            using var cancel = new CancellationTokenSource();
            var joining = queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(real), cancel.Token);
            await cancel.CancelAsync();
            try
            {
                var entry = await joining;
                await real.DeleteAsync(entry.Node.Path);
                continue;
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }

            // No waiting here: the cancelled join itself removed the node its create left.
            Assert.Empty(await NodeTestKit.ChildrenAsync(real, root));
        }

        Assert.True(cancelled > 0, "no join was cancelled before its create's reply");
    }

    private Task WatchersEventuallyAsync(string serverPath, IReadOnlyCollection<long> sessions, string what) =>
        NodeTestKit.WatchersEventuallyAsync(zk, serverPath, sessions, what);
}
