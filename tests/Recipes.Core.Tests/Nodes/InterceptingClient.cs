using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Nodes;

/// <summary>
/// A real client with a hook on creates and counts of reads, for faults a real server will not produce on demand: e.g. a create that is
/// applied on the server and then reported as a connection loss (its reply "lost").
/// </summary>
internal sealed class InterceptingClient : IZooKeeperClient
{
    private readonly IZooKeeperClient _inner;
    private int _creates;
    private int _exists;
    private int _getData;
    private int _getChildren;
    private int _removeWatches;

    public InterceptingClient(IZooKeeperClient inner)
    {
        _inner = inner;

        // Re-raised with this client as the sender: the connection matches events to the client it created.
        inner.StateChanged += (_, change) => StateChanged?.Invoke(this, change);
    }

    /// <summary>Called instead of the create when set: (inner client, path, data, mode, acl, call number from 1).</summary>
    public Func<IZooKeeperClient, string, byte[]?, CreateMode, IReadOnlyList<Acl>?, int, Task<CreateResult>>? OnCreate { get; set; }

    public IZooKeeperClient Inner => _inner;

    public int CreateCalls => Volatile.Read(ref _creates);

    public int ExistsCalls => Volatile.Read(ref _exists);

    public int GetDataCalls => Volatile.Read(ref _getData);

    public int GetChildrenCalls => Volatile.Read(ref _getChildren);

    public int RemoveWatchesCalls => Volatile.Read(ref _removeWatches);

    public ZooKeeperState State => _inner.State;

    public long SessionId => _inner.SessionId;

    public ReadOnlyMemory<byte> SessionPassword => _inner.SessionPassword;

    public TimeSpan NegotiatedSessionTimeout => _inner.NegotiatedSessionTimeout;

    public long LastZxid => _inner.LastZxid;

    public long LastReceivedTimestamp => _inner.LastReceivedTimestamp;

    public long LastServerContactTimestamp => _inner.LastServerContactTimestamp;

    public event EventHandler<ZooKeeperStateChange>? StateChanged;

    /// <summary>A create hook that applies the first <paramref name="matching"/> create on the server and then throws connection loss.</summary>
    public static Func<IZooKeeperClient, string, byte[]?, CreateMode, IReadOnlyList<Acl>?, int, Task<CreateResult>> LoseFirstReply(Func<string, CreateMode, bool> matching)
    {
        var lost = 0;
        return async (client, path, data, mode, acl, _) =>
        {
            var result = await client.CreateAsync(path, data, mode, acl);
            if (matching(path, mode) && Interlocked.Exchange(ref lost, 1) == 0)
            {
                throw new ConnectionLossException(path, "Injected: the create was applied but its reply was lost.");
            }

            return result;
        };
    }

    public Task WaitForConnectedAsync(CancellationToken cancellationToken = default) => _inner.WaitForConnectedAsync(cancellationToken);

    public Task<CreateResult> CreateAsync(string path, byte[]? data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null, long ttl = 0, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _creates);
        return OnCreate is { } hook ? hook(_inner, path, data, mode, acl, call) : _inner.CreateAsync(path, data, mode, acl, ttl, cancellationToken);
    }

    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default) => _inner.DeleteAsync(path, version, cancellationToken);

    public Task<Stat?> ExistsAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _exists);
        return _inner.ExistsAsync(path, watcher, cancellationToken);
    }

    public Task<DataResult> GetDataAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _getData);
        return _inner.GetDataAsync(path, watcher, cancellationToken);
    }

    public Task<Stat> SetDataAsync(string path, byte[]? data, int version = -1, CancellationToken cancellationToken = default) => _inner.SetDataAsync(path, data, version, cancellationToken);

    public Task<ChildrenResult> GetChildrenAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _getChildren);
        return _inner.GetChildrenAsync(path, watcher, cancellationToken);
    }

    public Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken = default) => _inner.GetAclAsync(path, cancellationToken);

    public Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion = -1, CancellationToken cancellationToken = default) => _inner.SetAclAsync(path, acl, aclVersion, cancellationToken);

    public Task SyncAsync(string path, CancellationToken cancellationToken = default) => _inner.SyncAsync(path, cancellationToken);

    public Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> operations, CancellationToken cancellationToken = default) => _inner.MultiAsync(operations, cancellationToken);

    public Task<IReadOnlyList<string>> GetEphemeralsAsync(string prefixPath = "/", CancellationToken cancellationToken = default) => _inner.GetEphemeralsAsync(prefixPath, cancellationToken);

    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken = default) => _inner.GetAllChildrenNumberAsync(path, cancellationToken);

    public Task<IReadOnlyList<ClientIdentity>> WhoAmIAsync(CancellationToken cancellationToken = default) => _inner.WhoAmIAsync(cancellationToken);

    public Task AddAuthAsync(ZooKeeperAuthInfo auth, CancellationToken cancellationToken = default) => _inner.AddAuthAsync(auth, cancellationToken);

    public Task AddWatchAsync(string path, IWatcher watcher, AddWatchMode mode, CancellationToken cancellationToken = default) => _inner.AddWatchAsync(path, watcher, mode, cancellationToken);

    public Task RemoveWatchesAsync(string path, IWatcher? watcher, WatcherType type, bool local = false, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _removeWatches);
        return _inner.RemoveWatchesAsync(path, watcher, type, local, cancellationToken);
    }

    public Task CloseAsync(CancellationToken cancellationToken = default) => _inner.CloseAsync(cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
