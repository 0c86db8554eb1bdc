using Microsoft.Extensions.Logging.Abstractions;
using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.History;
using Recipes.Chaos.Tests.Invariants;
using Recipes.Locks;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Chaos.Tests;

/// <summary>
/// The case no lock client can see in time: a holder stops (a long GC pause) past its session timeout. It still
/// believes it holds the lock when another process gets it; only the fencing token saves the downstream store.
/// </summary>
[Collection(ChaosServerCollection.Name)]
public sealed class GcPauseFencingTests(ZooKeeperServerFixture zk)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_paused_holder_still_believes_after_its_session_expired_and_the_fencing_store_rejects_its_stale_write()
    {
        var root = zk.NewRoot("gc-pause");
        await using (var setup = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString }))
        {
            await setup.CreateAsync(root, null, CreateMode.Persistent);
        }

        var endpoints = new[] { ("127.0.0.1", zk.Server.Port) };
        await using var paused = await ChaosActor.StartAsync("paused", endpoints, root, NullLoggerFactory.Instance);
        await using var other = await ChaosActor.StartAsync("other", endpoints, root, NullLoggerFactory.Instance);
        var history = new ChaosHistory();
        var store = new FencedStore(history, "mutex");

        await using var stale = await new ZooKeeperMutex(paused.Connection, "/mutex").AcquireAsync(Patience);
        var staleHold = history.BeginHold(paused.Name, "mutex", stale.FencingToken, () => !stale.IsLost, history.Now);
        Assert.True(store.TryWrite(paused.Name, stale.FencingToken));

        ZooKeeperLockHandle fresh;
        await using (ProcessPause.Begin(paused.Clock, paused.Proxies))
        {
            history.Record(paused.Name, HistoryEventKind.UnseenSessionLoss, "pause");

            // The server expires the silent session, deletes its lock node, and the other process gets the lock.
            fresh = await new ZooKeeperMutex(other.Connection, "/mutex").AcquireAsync(Patience);
            var freshHold = history.BeginHold(other.Name, "mutex", fresh.FencingToken, () => !fresh.IsLost, history.Now);
            Assert.True(fresh.FencingToken > stale.FencingToken, "a later holder has a higher fencing token");
            Assert.True(store.TryWrite(other.Name, fresh.FencingToken));

            // The paused holder cannot know: its LostToken has not fired, it still believes it holds the lock.
            Assert.False(stale.IsLost);
            Assert.False(stale.LostToken.IsCancellationRequested);
            history.EndHold(freshHold, HistoryEventKind.Released);
        }

        // It resumes mid-work and writes with its old token: the store rejects the stale write.
        Assert.False(store.TryWrite(paused.Name, stale.FencingToken));
        Assert.Equal(fresh.FencingToken, store.Highest);

        // Then it learns that its ownership is gone.
        await LostWithin(stale.LostToken);
        history.EndHold(staleHold, HistoryEventKind.Lost);
        await fresh.DisposeAsync();

        // The checker sees the overlap, excused only because the holder's session ended behind its back.
        var events = history.Snapshot();
        var exclusive = new ExclusiveOwnershipInvariant();
        Assert.Empty(exclusive.Check(events));
        Assert.Equal(1, exclusive.FencedOverlaps);
        Assert.Empty(new FencedWriteInvariant().Check(events));
        Assert.Single(events, e => e.Kind == HistoryEventKind.WriteRejected);

        // Without the pause on record, the same history is a violation: the checker does catch overlaps.
        Assert.Single(new ExclusiveOwnershipInvariant().Check(events.Where(e => e.Kind != HistoryEventKind.UnseenSessionLoss).ToList()));
    }

    private static async Task LostWithin(CancellationToken lost)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lost.Register(() => fired.TrySetResult());
        await fired.Task.WaitAsync(Patience, CancellationToken.None);
    }
}
