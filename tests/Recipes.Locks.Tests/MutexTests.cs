using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

[Collection(LocksCollection.Name)]
public sealed class MutexTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/locks/m";

    [Fact]
    public async Task FiveContendersNeverOverlapAndTokensStrictlyIncrease()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(FiveContendersNeverOverlapAndTokensStrictlyIncrease));
        var connections = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => kit.ConnectAsync()));
        var inside = 0;
        var overlaps = 0;
        var tokens = new List<long>();

        async Task ContendAsync(int index)
        {
            var mutex = new ZooKeeperMutex(connections[index], LockPath);
            for (var round = 0; round < 3; round++)
            {
                await using var handle = await mutex.AcquireAsync(LockTestKit.Patience);
                if (Interlocked.Exchange(ref inside, 1) != 0)
                {
                    Interlocked.Increment(ref overlaps);
                }

                lock (tokens)
                {
                    tokens.Add(handle.FencingToken);
                }

                await Task.Yield();
                Assert.False(handle.IsLost);
                Volatile.Write(ref inside, 0);
            }
        }

        await LockTestKit.WithinAsync(Task.WhenAll(Enumerable.Range(0, 5).Select(i => Task.Run(() => ContendAsync(i)))), "15 acquisitions");

        Assert.Equal(0, overlaps);
        Assert.Equal(15, tokens.Count);
        for (var i = 1; i < tokens.Count; i++)
        {
            Assert.True(tokens[i] > tokens[i - 1], $"fencing tokens must strictly increase: {string.Join(", ", tokens)}");
        }

        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 0, "no lock nodes left");
    }

    [Fact]
    public async Task NodeLayoutIsCuratorsAndDataIsTheLocalAddress()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(NodeLayoutIsCuratorsAndDataIsTheLocalAddress));
        var connection = await kit.ConnectAsync();

        await using (var handle = await new ZooKeeperMutex(connection, LockPath).AcquireAsync(LockTestKit.Patience))
        {
            var name = Assert.Single(await kit.ChildrenAsync(LockPath));
            Assert.Matches(new Regex(LockTestKit.CuratorNamePattern + @"lock-\d{10}$"), name);
            Assert.Equal(LockPath + "/" + name, handle.NodePath);
            var data = await kit.Observer.ExecuteAsync((c, ct) => c.GetDataAsync(handle.NodePath, null, ct));
            Assert.True(IPAddress.TryParse(Encoding.UTF8.GetString(data.Data ?? []), out _), "node data should be an IP address");
            Assert.Equal(data.Stat.Czxid, handle.FencingToken);
        }

        byte[] custom = [1, 2, 3];
        await using (var handle = await new ZooKeeperMutex(connection, LockPath, custom).AcquireAsync(LockTestKit.Patience))
        {
            var data = await kit.Observer.ExecuteAsync((c, ct) => c.GetDataAsync(handle.NodePath, null, ct));
            Assert.Equal(custom, data.Data);
        }
    }

    [Fact]
    public async Task TimeoutsLeaveNoNodesBehind()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(TimeoutsLeaveNoNodesBehind));
        var holder = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        var contender = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        await using var held = await holder.AcquireAsync(LockTestKit.Patience);
        var heldName = held.NodePath[(LockPath.Length + 1)..];

        Assert.Null(await contender.TryAcquireAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Null(await contender.TryAcquireAsync(TimeSpan.Zero));
        await Assert.ThrowsAsync<TimeoutException>(() => contender.AcquireAsync(TimeSpan.FromMilliseconds(300)));

        await kit.ChildrenEventuallyAsync(LockPath, c => c.SequenceEqual([heldName]), "only the holder's node");
    }

    [Fact]
    public async Task CancellationAbortsTheWaitAndRemovesOurNode()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(CancellationAbortsTheWaitAndRemovesOurNode));
        var holder = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        var contender = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        await using var held = await holder.AcquireAsync(LockTestKit.Patience);
        using var cts = new CancellationTokenSource();

        var waiting = contender.AcquireAsync(null, cts.Token);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the contender to queue");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LockTestKit.WithinAsync(waiting, "the cancelled wait"));
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 1, "the contender's node to be removed");
        await held.DisposeAsync();
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 0, "no nodes");
    }

    [Fact]
    public async Task AHandleCanBeReleasedFromAnotherThread()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AHandleCanBeReleasedFromAnotherThread));
        var first = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        var second = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        var handle = await first.AcquireAsync(LockTestKit.Patience);
        var acquiringThread = Environment.CurrentManagedThreadId;

        var waiting = second.AcquireAsync(LockTestKit.Patience);
        var releasingThread = 0;
        var thread = new Thread(() =>
        {
            releasingThread = Environment.CurrentManagedThreadId;
            handle.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        thread.Start();
        thread.Join();

        Assert.NotEqual(acquiringThread, releasingThread);
        await using var next = await LockTestKit.WithinAsync(waiting, "the second contender");
        Assert.True(next.FencingToken > handle.FencingToken);
        Assert.False(handle.IsLost);
    }
}
