using Recipes.Core;
using Recipes.Testing.Interop;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

/// <summary>
/// Our mutex and semaphore contending on the same paths as Apache Curator 5.4.0's <c>InterProcessMutex</c> and
/// <c>InterProcessSemaphoreV2</c> (driven by a <see cref="CuratorPeer"/> in a Java process).
/// </summary>
[Collection(LocksCollection.Name)]
public sealed class CuratorInteropTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/locks/m";
    private const string SemaphorePath = "/locks/sem";

    /// <summary>Short enough to keep the test fast, long enough that a wrongly granted lock would be noticed.</summary>
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(500);

    [CuratorInteropFact]
    public async Task CuratorMutexAndOursNeverOverlapAndAgreeOnTheOrder()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(CuratorMutexAndOursNeverOverlapAndAgreeOnTheOrder));
        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString);
        var curatorPath = kit.Root + LockPath;
        var connection = await kit.ConnectAsync();
        var first = new ZooKeeperMutex(connection, LockPath);
        var second = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);

        // Curator holds: ours times out and leaves nothing behind.
        var curatorNode = NodeName(Answer(await curator.SendAsync($"lock {curatorPath}"), "acquired"));
        Assert.Null(await first.TryAcquireAsync(Short));
        await kit.ChildrenEventuallyAsync(LockPath, c => c.SequenceEqual([curatorNode]), "only Curator's node after our timeout");

        // Two of ours queue behind Curator, one after the other: both sides list the same three participants in order.
        var firstWaiting = first.AcquireAsync(LockTestKit.Patience);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the first of ours to queue");
        var secondWaiting = second.AcquireAsync(LockTestKit.Patience);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 3, "the second of ours to queue");

        var curatorOrder = Answer(await curator.SendAsync($"participants {curatorPath}"), "participants").Split(' ');
        var ourOrder = await new SequentialNodeQueue(connection, LockPath, "lock-").GetSortedChildrenAsync(CancellationToken.None);
        Assert.Equal(curatorOrder, ourOrder);
        Assert.Equal(curatorNode, ourOrder[0]);
        Assert.False(firstWaiting.IsCompleted, "ours was granted while Curator held the mutex");
        Assert.False(secondWaiting.IsCompleted, "ours was granted while Curator held the mutex");

        // Curator releases: the first of ours (next in line) is granted, the second still waits.
        Assert.Equal("released", await curator.SendAsync($"release {curatorPath}"));
        var held = await LockTestKit.WithinAsync(firstWaiting, "ours after Curator released");
        Assert.Equal(ourOrder[1], NodeName(held.NodePath));
        Assert.False(secondWaiting.IsCompleted, "both of ours were granted at once");

        // We hold: Curator times out (and removes its node).
        Assert.Equal("timeout", await curator.SendAsync($"lock {curatorPath} {(int)Short.TotalMilliseconds}"));
        Assert.Equal($"participants {ourOrder[1]} {ourOrder[2]}", await curator.SendAsync($"participants {curatorPath}"));

        // Ours release in turn; then Curator acquires.
        await held.DisposeAsync();
        await using (var next = await LockTestKit.WithinAsync(secondWaiting, "the second of ours"))
        {
            Assert.Equal(ourOrder[2], NodeName(next.NodePath));
            Assert.True(next.FencingToken > held.FencingToken);
            Assert.Equal($"participants {ourOrder[2]}", await curator.SendAsync($"participants {curatorPath}"));
        }

        var curatorAgain = NodeName(Answer(await curator.SendAsync($"lock {curatorPath} {(int)LockTestKit.Patience.TotalMilliseconds}"), "acquired"));
        Assert.Equal([curatorAgain], await kit.ChildrenAsync(LockPath));
        Assert.Null(await first.TryAcquireAsync(TimeSpan.Zero));
        Assert.Equal("released", await curator.SendAsync($"release {curatorPath}"));
        await using var last = await first.AcquireAsync(LockTestKit.Patience);
    }

    [CuratorInteropFact]
    public async Task CuratorSemaphoreV2AndOursShareTheLeases()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(CuratorSemaphoreV2AndOursShareTheLeases));
        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString);
        var curatorPath = kit.Root + SemaphorePath;
        const string leasesPath = SemaphorePath + "/leases";
        const int maxLeases = 2;
        var first = new ZooKeeperSemaphore(await kit.ConnectAsync(), SemaphorePath, maxLeases);
        var second = new ZooKeeperSemaphore(await kit.ConnectAsync(), SemaphorePath, maxLeases);

        // Curator holds one lease, ours the other: a third (ours) times out and leaves no lease node behind.
        var curatorLeasePath = Answer(await curator.SendAsync($"semacquire {curatorPath} {maxLeases} {(int)LockTestKit.Patience.TotalMilliseconds}"), "acquired");
        Assert.Equal(kit.Root + leasesPath, curatorLeasePath[..curatorLeasePath.LastIndexOf('/')]);
        Assert.Matches(LockTestKit.CuratorNamePattern + @"lease-\d{10}$", NodeName(curatorLeasePath));
        var curatorLease = NodeName(curatorLeasePath);
        await using var firstLease = await first.AcquireAsync(LockTestKit.Patience);
        Assert.Equal(
            new[] { curatorLease, NodeName(firstLease.NodePath) }.Order(StringComparer.Ordinal),
            await kit.ChildrenAsync(leasesPath));
        Assert.Null(await second.TryAcquireAsync(Short));
        await kit.ChildrenEventuallyAsync(leasesPath, c => c.Count == 2, "only the two held leases after our timeout");

        // Curator returns its lease: the third succeeds.
        Assert.Equal("released", await curator.SendAsync($"semrelease {curatorPath}"));
        var secondLease = await second.TryAcquireAsync(LockTestKit.Patience);
        Assert.NotNull(secondLease);

        // Both leases are ours now: Curator times out, then gets one once we return ours.
        Assert.Equal("timeout", await curator.SendAsync($"semacquire {curatorPath} {maxLeases} {(int)Short.TotalMilliseconds}"));
        await kit.ChildrenEventuallyAsync(leasesPath, c => c.Count == 2, "Curator's timed-out lease node to be removed");
        await secondLease.DisposeAsync();
        var curatorAgain = NodeName(Answer(await curator.SendAsync($"semacquire {curatorPath} {maxLeases} {(int)LockTestKit.Patience.TotalMilliseconds}"), "acquired"));
        Assert.Contains(curatorAgain, await kit.ChildrenAsync(leasesPath));
        Assert.Equal("released", await curator.SendAsync($"semrelease {curatorPath}"));
    }

    /// <summary>The rest of an answer after its leading word, which must be <paramref name="word"/>.</summary>
    private static string Answer(string answer, string word)
    {
        Assert.StartsWith(word + " ", answer, StringComparison.Ordinal);
        return answer[(word.Length + 1)..];
    }

    /// <summary>The last segment of a node path (a bare name is returned as is).</summary>
    private static string NodeName(string path) => path[(path.LastIndexOf('/') + 1)..];
}
