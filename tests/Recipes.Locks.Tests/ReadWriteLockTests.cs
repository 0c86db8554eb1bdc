using System.Text.RegularExpressions;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

[Collection(LocksCollection.Name)]
public sealed class ReadWriteLockTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/locks/rw";
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task ReadersShareWritersExcludeAndAWaitingWriterBlocksLaterReaders()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ReadersShareWritersExcludeAndAWaitingWriterBlocksLaterReaders));
        var locks = new List<ZooKeeperReadWriteLock>();
        for (var i = 0; i < 4; i++)
        {
            locks.Add(new ZooKeeperReadWriteLock(await kit.ConnectAsync(), LockPath));
        }

        var reader1 = await locks[0].ReadLock.AcquireAsync(LockTestKit.Patience);
        var reader2 = await locks[1].ReadLock.AcquireAsync(LockTestKit.Patience);
        Assert.Null(await locks[2].WriteLock.TryAcquireAsync(Short));

        var writerWaiting = locks[2].WriteLock.AcquireAsync(LockTestKit.Patience);
        var names = await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 3, "two readers and a waiting writer");
        Assert.Equal(2, names.Count(n => Regex.IsMatch(n, LockTestKit.CuratorNamePattern + @"__READ__\d{10}$")));
        Assert.Single(names, n => Regex.IsMatch(n, LockTestKit.CuratorNamePattern + @"__WRIT__\d{10}$"));

        // The waiting writer sorts before any new reader, so the reader waits even though only readers hold the lock.
        Assert.Null(await locks[3].ReadLock.TryAcquireAsync(Short));
        Assert.False(writerWaiting.IsCompleted);

        await reader1.DisposeAsync();
        Assert.False(writerWaiting.IsCompleted);
        await reader2.DisposeAsync();
        var writer = await LockTestKit.WithinAsync(writerWaiting, "the writer");
        Assert.True(writer.FencingToken > reader2.FencingToken);

        Assert.Null(await locks[3].ReadLock.TryAcquireAsync(Short));
        Assert.Null(await locks[0].WriteLock.TryAcquireAsync(Short));

        var readerWaiting = locks[3].ReadLock.AcquireAsync(LockTestKit.Patience);
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "a reader waiting behind the writer");
        await writer.DisposeAsync();
        await using var reader3 = await LockTestKit.WithinAsync(readerWaiting, "the reader after the writer");
        await using var reader4 = await locks[0].ReadLock.AcquireAsync(LockTestKit.Patience);
        Assert.False(reader3.IsLost);
    }
}
