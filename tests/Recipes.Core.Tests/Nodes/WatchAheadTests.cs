using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Nodes;

/// <summary>
/// <see cref="SequentialNodeQueue.WatchAheadLimit"/>: a waiter with few participants ahead watches them all and is
/// granted from its join listing when they have gone, with no further listing; a deep queue still watches one node;
/// and no watch outlives a wait on the server.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class WatchAheadTests(ZooKeeperServerFixture zk)
{
    private static readonly Func<IReadOnlyList<string>, int, QueueDecision> Mutex = SequentialNodeQueue.WithinFirst(1);

    [Fact]
    public async Task TheThirdIsGrantedAfterTheFirstTwoGoWithoutListingAgain()
    {
        await using var three = await StartThreeAsync(nameof(TheThirdIsGrantedAfterTheFirstTwoGoWithoutListingAgain));
        var (root, a, b, realC, c, queue) = three;

        var first = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(a), CancellationToken.None);
        Assert.True((await queue.WaitForTurnAsync(first, Mutex, null, CancellationToken.None)).IsGranted);
        var second = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(b), CancellationToken.None);
        var secondWait = queue.WaitForTurnAsync(second, Mutex, null, CancellationToken.None);
        var third = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(c), CancellationToken.None);
        var thirdWait = queue.WaitForTurnAsync(third, Mutex, null, CancellationToken.None);
        await WatchersEventuallyAsync(root, first.Node.Name, [a.SessionId, b.SessionId, realC.SessionId], "both waiters to watch the holder");
        await WatchersEventuallyAsync(root, second.Node.Name, [b.SessionId, realC.SessionId], "the third to watch the second");

        // The holder goes: the second is granted; the third learns it from its own watch and stays behind the second.
        await a.DeleteAsync(first.Node.Path);
        Assert.True((await NodeTestKit.WithinAsync(secondWait, "the second's turn")).IsGranted);
        await WatchersEventuallyAsync(root, first.Node.Name, [], "no watch left on the deleted holder");
        Assert.False(thirdWait.IsCompleted, "the third must not be granted while the second holds");

        // The second goes: its notification alone grants the third, from the listing it took when it joined.
        await b.DeleteAsync(second.Node.Path);
        var granted = await NodeTestKit.WithinAsync(thirdWait, "the third's turn");

        Assert.Equal(QueueOutcome.Granted, granted.Outcome);
        Assert.Equal([third.Node.Name], granted.SortedNames);
        Assert.Equal((1, 3, 0), (c.GetChildrenCalls, c.GetDataCalls, c.ExistsCalls));
        Assert.Equal(0, c.RemoveWatchesCalls);
        await WatchersEventuallyAsync(root, second.Node.Name, [], "no watch left on the deleted second");
    }

    [Fact]
    public async Task ADeepQueueWatchesOnlyThePredecessorAndStillGrantsInOrder()
    {
        const int Count = 5;
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ADeepQueueWatchesOnlyThePredecessorAndStillGrantsInOrder));
        var clients = new List<ZooKeeperClient>();
        try
        {
            for (var i = 0; i < Count; i++)
            {
                clients.Add(await NodeTestKit.ConnectAsync(zk.ConnectionString));
            }

            var queue = NewQueue(root);
            var entries = new List<QueueEntry>();
            var waits = new List<Task<QueueResult>>();
            foreach (var client in clients)
            {
                var entry = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(client), CancellationToken.None);
                entries.Add(entry);
                waits.Add(queue.WaitForTurnAsync(entry, Mutex, null, CancellationToken.None));
            }

            Assert.True((await NodeTestKit.WithinAsync(waits[0], "the first's turn")).IsGranted);

            // Within two places of the holder a waiter watches everyone ahead; further back only its predecessor.
            await WatchersEventuallyAsync(root, entries[0].Node.Name, [clients[0].SessionId, clients[1].SessionId, clients[2].SessionId], "the two waiters nearest the holder to watch it");
            await WatchersEventuallyAsync(root, entries[1].Node.Name, [clients[1].SessionId, clients[2].SessionId], "the third to watch the second");
            await WatchersEventuallyAsync(root, entries[2].Node.Name, [clients[2].SessionId, clients[3].SessionId], "the fourth to watch only the third");
            await WatchersEventuallyAsync(root, entries[3].Node.Name, [clients[3].SessionId, clients[4].SessionId], "the fifth to watch only the fourth");

            for (var i = 1; i < Count; i++)
            {
                await clients[i - 1].DeleteAsync(entries[i - 1].Node.Path);
                var granted = await NodeTestKit.WithinAsync(waits[i], $"participant {i}'s turn");
                Assert.Equal(QueueOutcome.Granted, granted.Outcome);
                Assert.Equal(entries[i].Node.Name, granted.SortedNames[0]);
                for (var j = i + 1; j < Count; j++)
                {
                    Assert.False(waits[j].IsCompleted, $"participant {j} must not be granted while {i} holds");
                }
            }

            await clients[Count - 1].DeleteAsync(entries[Count - 1].Node.Path);
            await NodeTestKit.EventuallyAsync(
                async () => !NodeTestKit.ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp")).Keys.Any(p => p.StartsWith(root + "/", StringComparison.Ordinal)),
                "no watch left under the queue");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ANodeAheadAlreadyGoneWhenWatchedIsDroppedFromTheListing()
    {
        await using var three = await StartThreeAsync(nameof(ANodeAheadAlreadyGoneWhenWatchedIsDroppedFromTheListing));
        var (root, a, b, realC, c, queue) = three;
        var (first, second, third) = await JoinThreeAsync(queue, a, b, c);

        // The third's join listing names the first, which goes before the third starts waiting: its getData finds no node.
        await a.DeleteAsync(first.Node.Path);
        var thirdWait = queue.WaitForTurnAsync(third, Mutex, null, CancellationToken.None);
        await WatchersEventuallyAsync(root, second.Node.Name, [b.SessionId, realC.SessionId], "the third to watch the second");
        Assert.False(thirdWait.IsCompleted, "the third must not be granted while the second is there");

        await b.DeleteAsync(second.Node.Path);
        var granted = await NodeTestKit.WithinAsync(thirdWait, "the third's turn");

        Assert.Equal(QueueOutcome.Granted, granted.Outcome);
        Assert.Equal([third.Node.Name], granted.SortedNames);
        Assert.Equal(1, c.GetChildrenCalls);
        await WatchersEventuallyAsync(root, first.Node.Name, [], "no watch on the node that was already gone");
    }

    [Fact]
    public async Task ADataChangeAheadReArmsItsWatchAndTheHandOverStaysWithoutListing()
    {
        await using var three = await StartThreeAsync(nameof(ADataChangeAheadReArmsItsWatchAndTheHandOverStaysWithoutListing));
        var (root, a, b, realC, c, queue) = three;
        var (first, second, third) = await JoinThreeAsync(queue, a, b, c);
        var thirdWait = queue.WaitForTurnAsync(third, Mutex, null, CancellationToken.None);
        await WatchersEventuallyAsync(root, first.Node.Name, [a.SessionId, realC.SessionId], "the third to watch the first");
        var getDataBefore = c.GetDataCalls;

        await a.SetDataAsync(first.Node.Path, [1]);
        await NodeTestKit.EventuallyAsync(() => Task.FromResult(c.GetDataCalls > getDataBefore), "the third to re-arm its watch on the first");
        await WatchersEventuallyAsync(root, first.Node.Name, [a.SessionId, realC.SessionId], "the watch on the first armed again");
        Assert.False(thirdWait.IsCompleted, "a data change grants nothing");

        await a.DeleteAsync(first.Node.Path);
        await b.DeleteAsync(second.Node.Path);
        var granted = await NodeTestKit.WithinAsync(thirdWait, "the third's turn");

        Assert.Equal(QueueOutcome.Granted, granted.Outcome);
        Assert.Equal(1, c.GetChildrenCalls);
    }

    [Fact]
    public async Task ASemaphoreGrantRemovesItsWatchOnAHolderStillThere()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ASemaphoreGrantRemovesItsWatchOnAHolderStillThere));
        await using var a = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var b = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var c = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var two = SequentialNodeQueue.WithinFirst(2);
        var queue = NewQueue(root);
        var first = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(a), CancellationToken.None);
        var second = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(b), CancellationToken.None);
        Assert.True((await queue.WaitForTurnAsync(second, two, null, CancellationToken.None)).IsGranted);
        var third = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(c), CancellationToken.None);
        var thirdWait = queue.WaitForTurnAsync(third, two, null, CancellationToken.None);
        await WatchersEventuallyAsync(root, second.Node.Name, [b.SessionId, c.SessionId], "the third to watch the second holder too");

        await a.DeleteAsync(first.Node.Path);
        var granted = await NodeTestKit.WithinAsync(thirdWait, "the third's turn");

        Assert.Equal(QueueOutcome.Granted, granted.Outcome);
        Assert.Equal([second.Node.Name, third.Node.Name], granted.SortedNames);
        await WatchersEventuallyAsync(root, second.Node.Name, [b.SessionId], "the third's watch on the second holder removed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ATimedOutOrCancelledWaitLeavesNoWatchAhead(bool cancel)
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ATimedOutOrCancelledWaitLeavesNoWatchAhead) + cancel);
        await using var a = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var b = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var c = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var queue = NewQueue(root);
        var (first, second, third) = await JoinThreeAsync(queue, a, b, c);

        if (cancel)
        {
            using var cancellation = new CancellationTokenSource();
            var wait = queue.WaitForTurnAsync(third, Mutex, null, cancellation.Token);
            await WatchersEventuallyAsync(root, second.Node.Name, [b.SessionId, c.SessionId], "the third to watch the second");
            await WatchersEventuallyAsync(root, first.Node.Name, [a.SessionId, c.SessionId], "the third to watch the first");
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NodeTestKit.WithinAsync(wait, "the cancelled wait"));
        }
        else
        {
            var result = await queue.WaitForTurnAsync(third, Mutex, TimeSpan.FromMilliseconds(300), CancellationToken.None);
            Assert.Equal(QueueOutcome.TimedOut, result.Outcome);
        }

        // Only each node's own watch stays.
        await WatchersEventuallyAsync(root, first.Node.Name, [a.SessionId], "only the first's own watch on it");
        await WatchersEventuallyAsync(root, second.Node.Name, [b.SessionId], "only the second's own watch on it");
    }

    [Fact]
    public async Task DeletesMissedDuringADisconnectionAreLearnedAfterItAndGrantOnlyFromANewListing()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var three = await StartThreeAsync(nameof(DeletesMissedDuringADisconnectionAreLearnedAfterItAndGrantOnlyFromANewListing), proxy.ConnectionString, TimeSpan.FromSeconds(10));
        var (root, a, b, realC, c, queue) = three;
        var (first, second, third) = await JoinThreeAsync(queue, a, b, c);
        var thirdWait = queue.WaitForTurnAsync(third, Mutex, null, CancellationToken.None);
        await WatchersEventuallyAsync(root, first.Node.Name, [a.SessionId, realC.SessionId], "the third to watch the first");
        await WatchersEventuallyAsync(root, second.Node.Name, [b.SessionId, realC.SessionId], "the third to watch the second");

        // Both go while the third's connection is cut: their notifications are lost with it.
        var session = realC.SessionId;
        proxy.Mode = FaultMode.Blackhole;
        await a.DeleteAsync(first.Node.Path);
        await b.DeleteAsync(second.Node.Path);
        proxy.Heal();
        proxy.Reset();

        // The re-registered watches report both deletes; after a disconnection only a new listing may grant.
        var granted = await NodeTestKit.WithinAsync(thirdWait, "the third's turn after the reconnection");
        Assert.Equal(QueueOutcome.Granted, granted.Outcome);
        Assert.Equal([third.Node.Name], granted.SortedNames);
        Assert.Equal(session, realC.SessionId);
        Assert.Equal(2, c.GetChildrenCalls);
    }

    /// <summary>A root, a queue under it and three sessions; the third's requests are counted.</summary>
    private async Task<ThreeSessions> StartThreeAsync(string name, string? thirdConnectionString = null, TimeSpan? thirdSessionTimeout = null)
    {
        var root = await NodeTestKit.CreateRootAsync(zk, name);
        var a = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var b = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var c = await NodeTestKit.ConnectAsync(thirdConnectionString ?? zk.ConnectionString, thirdSessionTimeout);
        return new ThreeSessions(root, a, b, c, new InterceptingClient(c), NewQueue(root));
    }

    private static SequentialNodeQueue NewQueue(string root) =>
        new(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true };

    private static async Task<(QueueEntry First, QueueEntry Second, QueueEntry Third)> JoinThreeAsync(
        SequentialNodeQueue queue, IZooKeeperClient a, IZooKeeperClient b, IZooKeeperClient c) =>
        (await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(a), CancellationToken.None),
         await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(b), CancellationToken.None),
         await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(c), CancellationToken.None));

    private Task WatchersEventuallyAsync(string root, string name, IReadOnlyCollection<long> sessions, string what) =>
        NodeTestKit.WatchersEventuallyAsync(zk, root + "/" + name, sessions, what);

    private sealed record ThreeSessions(
        string Root, ZooKeeperClient A, ZooKeeperClient B, ZooKeeperClient RealC, InterceptingClient C, SequentialNodeQueue Queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            await RealC.DisposeAsync();
        }
    }
}
