using System.Text.RegularExpressions;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

[Collection(LocksCollection.Name)]
public sealed class SemaphoreTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string SemaphorePath = "/locks/sem";

    [Fact]
    public async Task AtMostMaxLeasesHoldersAmongSixContenders()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AtMostMaxLeasesHoldersAmongSixContenders));
        const int maxLeases = 2;
        var connections = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => kit.ConnectAsync()));
        var holders = 0;
        var mostHolders = 0;
        var granted = 0;

        async Task ContendAsync(int index)
        {
            var semaphore = new ZooKeeperSemaphore(connections[index], SemaphorePath, maxLeases);
            for (var round = 0; round < 2; round++)
            {
                await using var lease = await semaphore.AcquireAsync(LockTestKit.Patience);
                var now = Interlocked.Increment(ref holders);
                InterlockedMax(ref mostHolders, now);
                Interlocked.Increment(ref granted);
                await Task.Delay(30); // hold the lease a moment so others pile up
                Interlocked.Decrement(ref holders);
            }
        }

        await LockTestKit.WithinAsync(Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => ContendAsync(i)))), "12 leases");

        Assert.Equal(12, granted);
        Assert.InRange(mostHolders, 1, maxLeases);
        await kit.ChildrenEventuallyAsync(SemaphorePath + "/leases", c => c.Count == 0, "no lease nodes left");
    }

    [Fact]
    public async Task LayoutIsCuratorsSemaphoreV2AndAFullSemaphoreTimesOut()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(LayoutIsCuratorsSemaphoreV2AndAFullSemaphoreTimesOut));
        var first = new ZooKeeperSemaphore(await kit.ConnectAsync(), SemaphorePath, 1);
        var second = new ZooKeeperSemaphore(await kit.ConnectAsync(), SemaphorePath, 1);

        var lease = await first.AcquireAsync(LockTestKit.Patience);

        // The gate (<path>/locks) is an empty container once its mutex is released, and the server may reap it at any
        // moment; it is checked below while a waiter holds it.
        Assert.Contains("leases", await kit.ChildrenAsync(SemaphorePath));
        var leaseName = Assert.Single(await kit.ChildrenAsync(SemaphorePath + "/leases"));
        Assert.Matches(new Regex(LockTestKit.CuratorNamePattern + @"lease-\d{10}$"), leaseName);
        Assert.Equal(SemaphorePath + "/leases/" + leaseName, lease.NodePath);
        Assert.Empty(await kit.ChildrenAsync(SemaphorePath + "/locks"));

        Assert.Null(await second.TryAcquireAsync(TimeSpan.FromMilliseconds(300)));
        await kit.ChildrenEventuallyAsync(SemaphorePath + "/leases", c => c.SequenceEqual([leaseName]), "only the holder's lease");
        await kit.ChildrenEventuallyAsync(SemaphorePath + "/locks", c => c.Count == 0, "the gate released");

        var waiting = second.AcquireAsync(LockTestKit.Patience);
        await kit.ChildrenEventuallyAsync(SemaphorePath + "/leases", c => c.Count == 2, "the waiter's lease");

        // While waiting for a lease, the waiter holds the gate: Curator's SemaphoreV2 mutex under <path>/locks.
        var gate = Assert.Single(await kit.ChildrenAsync(SemaphorePath + "/locks"));
        Assert.Matches(new Regex(LockTestKit.CuratorNamePattern + @"lock-\d{10}$"), gate);
        await lease.DisposeAsync();
        await using var next = await LockTestKit.WithinAsync(waiting, "the second lease");
        Assert.True(next.FencingToken > lease.FencingToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
