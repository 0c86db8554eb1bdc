using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

/// <summary>Bad arguments fail at once with an exception that says what is wrong, before any node is created.</summary>
[Collection(LocksCollection.Name)]
public sealed class BadInputTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/locks/m";

    public static TheoryData<string> InvalidPaths => ["no-slash", "/a//b", "", "/a/", "/a/./b", "/a/../b", "/a\u0001b"];

    public static TheoryData<TimeSpan> NegativeTimeouts => [TimeSpan.FromTicks(-1), TimeSpan.FromMilliseconds(-2), TimeSpan.FromSeconds(-1), TimeSpan.MinValue];

    [Theory]
    [MemberData(nameof(InvalidPaths))]
    public async Task AnInvalidPathIsRejectedNamingThePath(string path)
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AnInvalidPathIsRejectedNamingThePath));
        var connection = await kit.ConnectAsync();

        foreach (var create in new Func<object>[]
                 {
                     () => new ZooKeeperMutex(connection, path),
                     () => new ZooKeeperSemaphore(connection, path, 1),
                     () => new ZooKeeperReadWriteLock(connection, path),
                 })
        {
            var e = Assert.Throws<ArgumentException>(create);
            Assert.Equal("path", e.ParamName);
            Assert.Contains("Invalid ZooKeeper path", e.Message, StringComparison.Ordinal);
            if (!path.Any(char.IsControl))
            {
                Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
            }
        }

        Assert.Empty(await kit.ChildrenAsync("/"));
    }

    [Fact]
    public async Task ANullPathIsRejected()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ANullPathIsRejected));
        var connection = await kit.ConnectAsync();

        Assert.Equal("path", Assert.ThrowsAny<ArgumentException>(() => new ZooKeeperMutex(connection, null!)).ParamName);
        Assert.Equal("path", Assert.ThrowsAny<ArgumentException>(() => new ZooKeeperSemaphore(connection, null!, 1)).ParamName);
        Assert.Equal("path", Assert.ThrowsAny<ArgumentException>(() => new ZooKeeperReadWriteLock(connection, null!)).ParamName);
        Assert.Equal("connection", Assert.Throws<ArgumentNullException>(() => new ZooKeeperMutex(null!, LockPath)).ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("/a")]
    public async Task AProviderRejectsANameThatIsNotOneSegment(string name)
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AProviderRejectsANameThatIsNotOneSegment));
        var provider = new ZooKeeperLockProvider(await kit.ConnectAsync());

        var e = Assert.ThrowsAny<ArgumentException>(() => provider.CreateMutex(name));
        Assert.Equal("name", e.ParamName);
        Assert.ThrowsAny<ArgumentException>(() => provider.CreateSemaphore(name, 1));
        Assert.ThrowsAny<ArgumentException>(() => provider.CreateReadWriteLock(name));
        Assert.ThrowsAny<ArgumentException>(() => provider.CreateMultiLock("ok", name));
    }

    [Theory]
    [InlineData("locks")]
    [InlineData("/locks/")]
    [InlineData("/a//b")]
    public async Task AProviderRejectsAnInvalidBasePath(string basePath)
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AProviderRejectsAnInvalidBasePath));
        var connection = await kit.ConnectAsync();

        var e = Assert.Throws<ArgumentException>(() => new ZooKeeperLockProvider(connection, new ZooKeeperLockOptions { BasePath = basePath }));
        Assert.Contains($"'{basePath}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public async Task ASemaphoreNeedsAtLeastOneLease(int maxLeases)
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ASemaphoreNeedsAtLeastOneLease));
        var connection = await kit.ConnectAsync();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ZooKeeperSemaphore(connection, "/locks/sem", maxLeases));
        Assert.Equal("maxLeases", e.ParamName);
        Assert.Equal(maxLeases, e.ActualValue);
        Assert.Contains("1", e.Message, StringComparison.Ordinal);

        var provider = new ZooKeeperLockProvider(connection);
        Assert.Equal("maxLeases", Assert.Throws<ArgumentOutOfRangeException>(() => provider.CreateSemaphore("sem", maxLeases)).ParamName);
        Assert.Empty(await kit.ChildrenAsync("/"));
    }

    [Theory]
    [MemberData(nameof(NegativeTimeouts))]
    public async Task ANegativeTimeoutIsRejectedBeforeAnyNodeIsCreated(TimeSpan timeout)
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ANegativeTimeoutIsRejectedBeforeAnyNodeIsCreated));
        var connection = await kit.ConnectAsync();
        var provider = new ZooKeeperLockProvider(connection);
        var readWrite = provider.CreateReadWriteLock("rw");
        IZooKeeperLock[] locks = [provider.CreateMutex("m"), provider.CreateSemaphore("sem", 2), readWrite.ReadLock, readWrite.WriteLock];
        var multi = provider.CreateMultiLock("a", "b");

        foreach (var @lock in locks)
        {
            Assert.Equal("timeout", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => @lock.AcquireAsync(timeout))).ParamName);
            Assert.Equal("timeout", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => @lock.TryAcquireAsync(timeout))).ParamName);
        }

        Assert.Equal("timeout", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => multi.AcquireAsync(timeout))).ParamName);
        Assert.Equal("timeout", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => multi.TryAcquireAsync(timeout))).ParamName);

        // Nothing was created, not even the parents.
        Assert.Empty(await kit.ChildrenAsync("/"));
    }

    [Fact]
    public async Task ATimeoutTooLongForTimersIsRejectedBeforeAnyNodeIsCreated()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(ATimeoutTooLongForTimersIsRejectedBeforeAnyNodeIsCreated));
        var connection = await kit.ConnectAsync();
        var holder = await new ZooKeeperMutex(connection, LockPath).AcquireAsync(LockTestKit.Patience);
        var heldName = holder.NodePath[(LockPath.Length + 1)..];
        IZooKeeperLock[] locks = [new ZooKeeperMutex(connection, LockPath), new ZooKeeperSemaphore(connection, "/locks/sem", 1)];

        foreach (var @lock in locks)
        {
            foreach (var timeout in new[] { TimeSpan.MaxValue, TimeSpan.FromDays(50) })
            {
                var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => @lock.TryAcquireAsync(timeout));
                Assert.Equal("timeout", e.ParamName);
                Assert.Contains("InfiniteTimeSpan", e.Message, StringComparison.Ordinal);
                Assert.Equal("timeout", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => @lock.AcquireAsync(timeout))).ParamName);
            }
        }

        Assert.Equal([heldName], await kit.ChildrenAsync(LockPath));
        Assert.Empty(await kit.ChildrenAsync("/locks/sem"));

        // Just under the limit is fine: it waits like any other timeout.
        var contender = new ZooKeeperMutex(connection, LockPath).AcquireAsync(TimeSpan.FromDays(49));
        await kit.ChildrenEventuallyAsync(LockPath, c => c.Count == 2, "the contender to queue");
        await holder.DisposeAsync();
        await using var granted = await LockTestKit.WithinAsync(contender, "the contender after the holder released");
    }

    [Fact]
    public async Task AnInfiniteTimeoutIsNotNegative()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(AnInfiniteTimeoutIsNotNegative));
        var mutex = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);

        await using (var handle = await LockTestKit.WithinAsync(mutex.AcquireAsync(Timeout.InfiniteTimeSpan), "a free mutex"))
        {
            Assert.False(handle.IsLost);
        }

        await using var again = await LockTestKit.WithinAsync(mutex.TryAcquireAsync(Timeout.InfiniteTimeSpan), "a free mutex");
        Assert.NotNull(again);
    }

    [Fact]
    public async Task DisposingAReleasedHandleAgainIsHarmless()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(DisposingAReleasedHandleAgainIsHarmless));
        var first = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);
        var second = new ZooKeeperMutex(await kit.ConnectAsync(), LockPath);

        var handle = await first.AcquireAsync(LockTestKit.Patience);
        await handle.DisposeAsync();
        await handle.DisposeAsync();
        Assert.False(handle.IsLost);

        // The next holder is untouched by further disposals of the old handle, even concurrent ones.
        await using var next = await second.AcquireAsync(LockTestKit.Patience);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => handle.DisposeAsync().AsTask()));
        Assert.Equal([next.NodePath[(LockPath.Length + 1)..]], await kit.ChildrenAsync(LockPath));
        Assert.False(next.IsLost);
        Assert.Null(await first.TryAcquireAsync(TimeSpan.Zero));

        // Also for semaphore leases and multi-lock handles.
        var semaphore = new ZooKeeperSemaphore(await kit.ConnectAsync(), "/locks/sem", 1);
        var lease = await semaphore.AcquireAsync(LockTestKit.Patience);
        await lease.DisposeAsync();
        await lease.DisposeAsync();
        await using (var nextLease = await semaphore.AcquireAsync(LockTestKit.Patience))
        {
            await lease.DisposeAsync();
            Assert.Single(await kit.ChildrenAsync("/locks/sem/leases"));
        }

        var provider = new ZooKeeperLockProvider(await kit.ConnectAsync());
        var multi = await provider.CreateMultiLock("x", "y").AcquireAsync(LockTestKit.Patience);
        await multi.DisposeAsync();
        await multi.DisposeAsync();
        await using var multiAgain = await provider.CreateMultiLock("y", "x").AcquireAsync(LockTestKit.Patience);
        await multi.DisposeAsync();
        Assert.Single(await kit.ChildrenAsync("/locks/x"));
        Assert.Single(await kit.ChildrenAsync("/locks/y"));
    }
}
