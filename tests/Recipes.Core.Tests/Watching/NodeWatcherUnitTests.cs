using System.Text;
using Moq;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Watching;

/// <summary>Re-arming rules of <see cref="NodeWatcher"/> and <see cref="ChildrenWatcher"/> against a mocked client.</summary>
public sealed class NodeWatcherUnitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Mock<IZooKeeperClient> _client = new();
    private readonly List<IWatcher> _watchers = [];
    private readonly Lock _lock = new();
    private DataResult? _data;
    private int _reads;

    public NodeWatcherUnitTests()
    {
        _client.SetupGet(c => c.State).Returns(ZooKeeperState.Connected);
        _client.Setup(c => c.GetDataAsync("/n", It.IsAny<IWatcher?>(), It.IsAny<CancellationToken>()))
            .Returns((string path, IWatcher? watcher, CancellationToken _) =>
            {
                lock (_lock)
                {
                    _reads++;
                    _watchers.Add(watcher!);
                    return _data is null ? Task.FromException<DataResult>(new NoNodeException(path)) : Task.FromResult(_data);
                }
            });
        _client.Setup(c => c.ExistsAsync("/n", It.IsAny<IWatcher?>(), It.IsAny<CancellationToken>()))
            .Returns((string _, IWatcher? watcher, CancellationToken _) =>
            {
                lock (_lock)
                {
                    _watchers.Add(watcher!);
                    return Task.FromResult(_data?.Stat);
                }
            });
        _client.Setup(c => c.RemoveWatchesAsync("/n", It.IsAny<IWatcher?>(), WatcherType.Any, It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
    }

    [Fact]
    public async Task EventsCauseAReReadThatReArmsAndPublishesOnlyRealChanges()
    {
        Set(2, 2, "one");
        var connection = MockConnection.For(_client.Object);
        await using var watcher = new NodeWatcher(connection.Object, "/n");
        var changes = new List<NodeSnapshot?>();
        watcher.Changed += (_, value) => changes.Add(value);

        await watcher.StartAsync();
        Assert.Equal("one", Text(watcher.Current));
        var armedWith = Assert.Single(Watchers());

        // A spurious event (same version) re-reads and re-arms but publishes nothing.
        armedWith.Process(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/n"));
        await WaitForReadsAsync(2);
        Set(2, 3, "two");
        armedWith.Process(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/n"));
        var two = await watcher.WaitForChangeAsync(n => Text(n) == "two").WaitAsync(Timeout);

        Assert.Equal(3, two!.Stat.Mzxid);
        Assert.Equal(["two"], changes.Select(Text));
        Assert.All(Watchers(), w => Assert.Same(armedWith, w));
    }

    [Fact]
    public async Task DeleteAndRecreateWithTheSameDataIsAChange()
    {
        Set(2, 2, "same");
        var connection = MockConnection.For(_client.Object);
        await using var watcher = new NodeWatcher(connection.Object, "/n");
        await watcher.StartAsync();

        Set(7, 7, "same");
        connection.RaiseState(ConnectionState.Reconnected, ConnectionState.Suspended, newSession: false);

        var recreated = await watcher.WaitForChangeAsync(n => n?.Stat.Czxid == 7).WaitAsync(Timeout);
        Assert.Equal("same", Text(recreated));
    }

    [Fact]
    public async Task MissingNodeIsWatchedWithExistsAndSeenWhenCreated()
    {
        var connection = MockConnection.For(_client.Object);
        await using var watcher = new NodeWatcher(connection.Object, "/n");
        await watcher.StartAsync();
        Assert.Null(watcher.Current);
        _client.Verify(c => c.ExistsAsync("/n", It.IsNotNull<IWatcher>(), It.IsAny<CancellationToken>()), Times.Once);

        Set(4, 4, "born");
        Watchers()[^1].Process(new WatchedEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/n"));

        Assert.Equal("born", Text(await watcher.WaitForChangeAsync(n => n is not null).WaitAsync(Timeout)));
    }

    [Fact]
    public async Task NewSessionReArmsAndDisposalRemovesTheWatch()
    {
        Set(2, 2, "one");
        var connection = MockConnection.For(_client.Object);
        var watcher = new NodeWatcher(connection.Object, "/n");
        await watcher.StartAsync();

        connection.RaiseState(ConnectionState.Reconnected, ConnectionState.Lost, newSession: true);
        await WaitForReadsAsync(2);
        var armedWith = Watchers()[0];

        await watcher.DisposeAsync();

        _client.Verify(c => c.RemoveWatchesAsync("/n", armedWith, WatcherType.Any, false, It.IsAny<CancellationToken>()), Times.Once);
        connection.VerifyRemove(c => c.StateChanged -= It.IsAny<EventHandler<ConnectionStateChange>>(), Times.Once);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => watcher.WaitForChangeAsync(_ => true));
    }

    [Fact]
    public async Task ChildrenWatcherPublishesSortedNamesAndNullWhenTheParentIsGone()
    {
        var children = new[] { "b", "a" };
        var exists = true;
        _client.Setup(c => c.GetChildrenAsync("/n", It.IsAny<IWatcher?>(), It.IsAny<CancellationToken>()))
            .Returns((string path, IWatcher? watcher, CancellationToken _) =>
            {
                lock (_lock)
                {
                    _watchers.Add(watcher!);
                    return exists
                        ? Task.FromResult(new ChildrenResult(children, Nodes.Stat(1, 1)))
                        : Task.FromException<ChildrenResult>(new NoNodeException(path));
                }
            });
        var connection = MockConnection.For(_client.Object);
        await using var watcher = new ChildrenWatcher(connection.Object, "/n");
        await watcher.StartAsync();
        Assert.Equal(["a", "b"], watcher.Current!);

        lock (_lock)
        {
            exists = false;
        }

        Watchers()[^1].Process(new WatchedEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/n"));
        await watcher.WaitForChangeAsync(c => c is null).WaitAsync(Timeout);
        _client.Verify(c => c.ExistsAsync("/n", It.IsNotNull<IWatcher>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    private static string? Text(NodeSnapshot? node) => node?.Data is { } data ? Encoding.UTF8.GetString(data) : null;

    private void Set(long czxid, long mzxid, string data)
    {
        lock (_lock)
        {
            _data = new DataResult(Encoding.UTF8.GetBytes(data), Nodes.Stat(czxid, mzxid));
        }
    }

    private List<IWatcher> Watchers()
    {
        lock (_lock)
        {
            return [.. _watchers];
        }
    }

    private async Task WaitForReadsAsync(int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (Volatile.Read(ref _reads) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Expected {count} reads, saw {_reads}.");
            await Task.Delay(10);
        }
    }
}
