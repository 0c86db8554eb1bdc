using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Core.Tests.Nodes;

[Collection(NodesCollection.Name)]
public sealed class SequentialNodeQueueTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/lock";

    [Fact]
    public async Task EachParticipantWaitsForItsPredecessorOnly()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(EachParticipantWaitsForItsPredecessorOnly));
        await using var first = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        await using var second = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        await using var third = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var nodes = new List<SequentialNode>();
        foreach (var connection in new[] { first, second, third })
        {
            var session = await connection.WaitForSessionAsync();
            nodes.Add(await connection.CreateProtectedSequentialAsync(LockPath, "lock-", null, session, CancellationToken.None));
        }

        var queues = new[] { first, second, third }.Select(c => new SequentialNodeQueue(c, LockPath, "lock-")).ToArray();
        var mutex = SequentialNodeQueue.WithinFirst(1);
        var turns = Enumerable.Range(0, 3).Select(i => queues[i].WaitForTurnAsync(nodes[i], mutex, null, CancellationToken.None)).ToArray();

        var firstTurn = await NodeTestKit.WithinAsync(turns[0], "the first participant's turn");
        Assert.Equal(QueueOutcome.Granted, firstTurn.Outcome);
        Assert.Equal(nodes.Select(n => n.Name), firstTurn.SortedNames);

        // Only the immediate predecessor is watched, each by its successor alone; nobody watches the parent.
        var serverPath = (SequentialNode n) => root + n.Path;
        await NodeTestKit.EventuallyAsync(
            async () =>
            {
                var watches = NodeTestKit.ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp"));
                return watches.TryGetValue(serverPath(nodes[0]), out var w0) && w0.SetEquals([nodes[1].Session.SessionId])
                    && watches.TryGetValue(serverPath(nodes[1]), out var w1) && w1.SetEquals([nodes[2].Session.SessionId])
                    && !watches.ContainsKey(serverPath(nodes[2]))
                    && !watches.ContainsKey(root + LockPath);
            },
            "each waiter to watch exactly its predecessor");
        Assert.False(turns[1].IsCompleted);
        Assert.False(turns[2].IsCompleted);

        await first.ExecuteAsync(async (c, ct) => { await c.DeleteAsync(nodes[0].Path, -1, ct); return true; });
        var secondTurn = await NodeTestKit.WithinAsync(turns[1], "the second participant's turn");
        Assert.Equal(QueueOutcome.Granted, secondTurn.Outcome);
        Assert.False(turns[2].IsCompleted);

        await second.ExecuteAsync(async (c, ct) => { await c.DeleteAsync(nodes[1].Path, -1, ct); return true; });
        var thirdTurn = await NodeTestKit.WithinAsync(turns[2], "the third participant's turn");
        Assert.Equal(QueueOutcome.Granted, thirdTurn.Outcome);
        Assert.Equal([nodes[2].Name], thirdTurn.SortedNames);
    }

    [Fact]
    public async Task ATimedOutWaitLeavesNoWatchBehind()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ATimedOutWaitLeavesNoWatchBehind));
        await using var holder = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        await using var waiter = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var held = await holder.CreateProtectedSequentialAsync(LockPath, "lock-", null, await holder.WaitForSessionAsync(), CancellationToken.None);
        var ours = await waiter.CreateProtectedSequentialAsync(LockPath, "lock-", null, await waiter.WaitForSessionAsync(), CancellationToken.None);
        var queue = new SequentialNodeQueue(waiter, LockPath, "lock-");

        var result = await queue.WaitForTurnAsync(ours, SequentialNodeQueue.WithinFirst(1), TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.Equal(QueueOutcome.TimedOut, result.Outcome);
        var watches = NodeTestKit.ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp"));
        Assert.False(watches.ContainsKey(root + held.Path), "the predecessor's watch should have been removed");

        // A zero timeout checks once without waiting.
        var once = await queue.WaitForTurnAsync(ours, SequentialNodeQueue.WithinFirst(1), TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(QueueOutcome.TimedOut, once.Outcome);
    }

    [Fact]
    public async Task CancellationThrows()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(CancellationThrows));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var session = await connection.WaitForSessionAsync();
        await connection.CreateProtectedSequentialAsync(LockPath, "lock-", null, session, CancellationToken.None);
        var ours = await connection.CreateProtectedSequentialAsync(LockPath, "lock-", null, session, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var queue = new SequentialNodeQueue(connection, LockPath, "lock-");

        var wait = queue.WaitForTurnAsync(ours, SequentialNodeQueue.WithinFirst(1), null, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NodeTestKit.WithinAsync(wait, "the cancelled wait"));
    }

    [Fact]
    public async Task AMissingNodeIsReportedLost()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(AMissingNodeIsReportedLost));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var ours = await connection.CreateProtectedSequentialAsync(LockPath, "lock-", null, await connection.WaitForSessionAsync(), CancellationToken.None);
        await connection.ExecuteAsync(async (c, ct) => { await c.DeleteAsync(ours.Path, -1, ct); return true; });

        var result = await new SequentialNodeQueue(connection, LockPath, "lock-").WaitForTurnAsync(ours, SequentialNodeQueue.WithinFirst(1), null, CancellationToken.None);

        Assert.Equal(QueueOutcome.NodeLost, result.Outcome);
    }

    [Fact]
    public async Task NeverGrantsOnASessionWhoseOwnershipWasLost()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(NeverGrantsOnASessionWhoseOwnershipWasLost));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var session = await connection.WaitForSessionAsync();
        var ours = await connection.CreateProtectedSequentialAsync(LockPath, "lock-", null, session, CancellationToken.None);

        // First in line and the node still exists, but its session's ownership can no longer be trusted (CURATOR-604).
        session.LoseOwnership();
        var result = await new SequentialNodeQueue(connection, LockPath, "lock-").WaitForTurnAsync(ours, SequentialNodeQueue.WithinFirst(1), null, CancellationToken.None);

        Assert.Equal(QueueOutcome.OwnershipLost, result.Outcome);
    }

    [Fact]
    public async Task AWaiterWhoseSessionIsKilledEndsWithoutBeingGranted()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(AWaiterWhoseSessionIsKilledEndsWithoutBeingGranted));
        await using var holder = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        await using var waiter = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        await holder.CreateProtectedSequentialAsync(LockPath, "lock-", null, await holder.WaitForSessionAsync(), CancellationToken.None);
        var session = await waiter.WaitForSessionAsync();
        var ours = await waiter.CreateProtectedSequentialAsync(LockPath, "lock-", null, session, CancellationToken.None);
        var wait = new SequentialNodeQueue(waiter, LockPath, "lock-").WaitForTurnAsync(ours, SequentialNodeQueue.WithinFirst(1), null, CancellationToken.None);

        await Recipes.Testing.ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, session.Client);

        var result = await NodeTestKit.WithinAsync(wait, "the killed waiter to give up");

        // Either the session's ownership token fires first, or a re-list already finds our node deleted by the server:
        // both end the wait, and neither is a grant.
        Assert.False(result.IsGranted);
        Assert.Contains(result.Outcome, new[] { QueueOutcome.OwnershipLost, QueueOutcome.NodeLost });
        Assert.False(await waiter.IsOwnedByAsync(ours.Path, session, CancellationToken.None));
    }

    [Fact]
    public async Task ReadersWaitForTheFirstWriterAcrossOneSequence()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ReadersWaitForTheFirstWriterAcrossOneSequence));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var session = await connection.WaitForSessionAsync();
        var reader0 = await connection.CreateProtectedSequentialAsync(LockPath, "__READ__", null, session, CancellationToken.None);
        var writer1 = await connection.CreateProtectedSequentialAsync(LockPath, "__WRIT__", null, session, CancellationToken.None);
        var reader2 = await connection.CreateProtectedSequentialAsync(LockPath, "__READ__", null, session, CancellationToken.None);
        var queue = new SequentialNodeQueue(connection, LockPath, "__READ__", "__WRIT__");

        // Curator's read-lock rule: granted unless a writer sorts before us; otherwise watch the first writer.
        QueueDecision ReadRule(IReadOnlyList<string> names, int ourIndex)
        {
            var firstWriter = names.Select((n, i) => (n, i)).FirstOrDefault(e => e.n.Contains("__WRIT__", StringComparison.Ordinal));
            return firstWriter.n is null || ourIndex < firstWriter.i ? QueueDecision.Granted : QueueDecision.WaitFor(firstWriter.n);
        }

        Assert.Equal([reader0.Name, writer1.Name, reader2.Name], await queue.GetSortedChildrenAsync(CancellationToken.None));
        Assert.True((await queue.WaitForTurnAsync(reader0, ReadRule, TimeSpan.Zero, CancellationToken.None)).IsGranted);
        var blocked = queue.WaitForTurnAsync(reader2, ReadRule, null, CancellationToken.None);
        Assert.False(blocked.IsCompleted);

        await connection.ExecuteAsync(async (c, ct) => { await c.DeleteAsync(writer1.Path, -1, ct); return true; });

        Assert.True((await NodeTestKit.WithinAsync(blocked, "the reader after the writer left")).IsGranted);
    }
}
