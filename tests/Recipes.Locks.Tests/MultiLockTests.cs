using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

[Collection(LocksCollection.Name)]
public sealed class MultiLockTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task OneLockHeldElsewhereMeansTryAcquireTimesOutHoldingNone()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(OneLockHeldElsewhereMeansTryAcquireTimesOutHoldingNone));
        var ours = new ZooKeeperLockProvider(await kit.ConnectAsync());
        var theirs = new ZooKeeperLockProvider(await kit.ConnectAsync());
        var multi = ours.CreateMultiLock("b", "a");
        Assert.Equal(["/locks/a", "/locks/b"], multi.Locks.Select(l => l.Path));

        var heldElsewhere = await theirs.CreateMutex("b").AcquireAsync(LockTestKit.Patience);
        Assert.Null(await multi.TryAcquireAsync(TimeSpan.FromMilliseconds(500)));
        await kit.ChildrenEventuallyAsync("/locks/a", c => c.Count == 0, "our node on 'a' released");
        await kit.ChildrenEventuallyAsync("/locks/b", c => c.Count == 1, "only the other holder's node on 'b'");

        var waiting = multi.AcquireAsync(LockTestKit.Patience);
        await kit.ChildrenEventuallyAsync("/locks/b", c => c.Count == 2, "our node queued on 'b'");
        await heldElsewhere.DisposeAsync();
        var all = await LockTestKit.WithinAsync(waiting, "the multi-lock");
        Assert.Equal(2, all.Handles.Count);
        Assert.All(all.Handles, h => Assert.False(h.IsLost));
        Assert.Null(await theirs.CreateMutex("a").TryAcquireAsync(TimeSpan.Zero));

        await all.DisposeAsync();
        await kit.ChildrenEventuallyAsync("/locks/a", c => c.Count == 0, "'a' released");
        await kit.ChildrenEventuallyAsync("/locks/b", c => c.Count == 0, "'b' released");
    }
}
