using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Keeps one ephemeral node present for as long as the keeper lives (Curator's <c>PersistentNode</c>, without its
/// duplicate and adopt-a-dying-node bugs): the node is re-created after session loss, after someone deletes it, and
/// with the latest data.
/// </summary>
/// <remarks>
/// <para>
/// A single background loop does all the work, woken by the connection's state changes (a new session), by an
/// <c>exists</c> watch on the node (deleted, changed) and by <see cref="SetDataAsync"/>, so creates never race.
/// </para>
/// <para>
/// When the path already exists: a node owned by the current session is adopted (its data set if it differs); a node
/// left by one of the keeper's earlier sessions, not yet expired by the server, is deleted and created again; a node of
/// any other session is watched and the keeper creates its own once that one is deleted.
/// </para>
/// <para>
/// Sequential modes never leave two nodes: before creating on a new session the previous node is deleted if it still
/// exists, and a create whose reply was lost is found again (by the keeper's protection uuid in the protected mode, by
/// listing this session's nodes otherwise) instead of being repeated. Use one keeper per path per connection.
/// </para>
/// </remarks>
public sealed partial class EphemeralNodeKeeper : IAsyncDisposable
{
    private const int StateNew = 0;
    private const int StateStarted = 1;
    private const int StateDisposed = 2;

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DisposeRequestTimeout = TimeSpan.FromSeconds(2);

    // The nodes live keepers of this process hold, so an unprotected sequential keeper never adopts another keeper's node.
    private static readonly ConcurrentDictionary<(IZooKeeperConnection Connection, string Path), EphemeralNodeKeeper> ClaimedPaths = new();

    private readonly IZooKeeperConnection _connection;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<Acl> _acl;
    private readonly string _createPath;
    private readonly string _parentPath;
    private readonly string _baseName;
    private readonly IWatcher _watcher;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<(long Version, TaskCompletionSource Applied)> _dataWaiters = [];
    private byte[]? _data;
    private long _dataVersion;
    private long _appliedDataVersion;
    private string? _actualPath;
    private ZooKeeperSession? _nodeSession;
    private TaskCompletionSource _created = NewSignal();
    private Task? _loop;
    private int _state;

    /// <summary>Creates a keeper; nothing happens until <see cref="StartAsync"/>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">
    /// The node's path; for sequential modes the base path the sequence is appended to (e.g. <c>/services/api/instance-</c>);
    /// for protected modes the uuid goes in front of the last segment's name.
    /// </param>
    /// <param name="data">The node's data (copied).</param>
    /// <param name="mode">How the node is named and created.</param>
    /// <param name="acl">The node's ACL; null for the connection's <see cref="ZooKeeperConnectionOptions.DefaultAcl"/>.</param>
    public EphemeralNodeKeeper(IZooKeeperConnection connection, string path, byte[]? data, EphemeralNodeMode mode = EphemeralNodeMode.Ephemeral, IReadOnlyList<Acl>? acl = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown ephemeral node mode.");
        }

        var sequential = mode is EphemeralNodeMode.EphemeralSequential or EphemeralNodeMode.ProtectedEphemeralSequential;
        PathUtils.Validate(path, sequential);
        if (path == "/")
        {
            throw new ArgumentException("The root cannot be an ephemeral node.", nameof(path));
        }

        _connection = connection;
        _logger = connection.LoggerFactory.CreateLogger<EphemeralNodeKeeper>();
        _acl = acl ?? connection.Options.DefaultAcl;
        Path = path;
        Mode = mode;
        _parentPath = NodeOperations.ParentOf(path) ?? "/";
        var name = path.EndsWith('/') ? "" : PathUtils.GetNodeName(path);
        _baseName = IsProtected ? ProtectedNodeName.Build(ProtectedNodeName.NewId(), name) : name;
        _createPath = _parentPath == "/" ? "/" + _baseName : _parentPath + "/" + _baseName;
        _data = data?.ToArray();
        _watcher = Watcher.Create(OnWatchEvent);
    }

    /// <summary>Raised (on the keeper's background loop) with the actual path each time the keeper creates or adopts its node.</summary>
    public event EventHandler<string>? NodeCreated;

    /// <summary>The path as given.</summary>
    public string Path { get; }

    /// <summary>How the node is named and created.</summary>
    public EphemeralNodeMode Mode { get; }

    /// <summary>
    /// The node's actual path (with the protection and sequence) as last created or adopted; null before that and after
    /// disposal. While the node is being re-created this may name the previous node.
    /// </summary>
    public string? ActualPath
    {
        get
        {
            lock (_lock)
            {
                return _actualPath;
            }
        }
    }

    /// <summary>The latest data (a copy): what the node holds or will hold once (re-)created.</summary>
    public byte[]? Data
    {
        get
        {
            lock (_lock)
            {
                return _data?.ToArray();
            }
        }
    }

    private bool IsSequential => Mode is EphemeralNodeMode.EphemeralSequential or EphemeralNodeMode.ProtectedEphemeralSequential;

    private bool IsProtected => Mode is EphemeralNodeMode.ProtectedEphemeral or EphemeralNodeMode.ProtectedEphemeralSequential;

    /// <summary>
    /// Starts keeping the node: subscribes to connection state changes and starts creating it in the background. Does not
    /// wait for the node; see <see cref="WaitForCreatedAsync"/>.
    /// </summary>
    /// <param name="cancellationToken">Checked before starting.</param>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var previous = Interlocked.CompareExchange(ref _state, StateStarted, StateNew);
        ObjectDisposedException.ThrowIf(previous == StateDisposed, this);
        if (previous != StateNew)
        {
            throw new InvalidOperationException($"The keeper of '{Path}' was already started.");
        }

        _connection.StateChanged += OnStateChanged;
        _loop = Task.Run(RunAsync, CancellationToken.None);
        Signal();
        return Task.CompletedTask;
    }

    /// <summary>Waits until the node exists on the current session: true, or false when <paramref name="timeout"/> passes first.</summary>
    /// <param name="timeout">How long to wait at most (<see cref="Timeout.InfiniteTimeSpan"/> for no limit).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<bool> WaitForCreatedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == StateDisposed, this);
        if (Volatile.Read(ref _state) != StateStarted)
        {
            throw new InvalidOperationException($"The keeper of '{Path}' has not been started.");
        }

        Task created;
        lock (_lock)
        {
            created = _created.Task;
        }

        try
        {
            await created.WaitAsync(timeout, _connection.TimeProvider, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sets the node's data. The data is kept and used whenever the node is re-created. If the node currently exists
    /// this waits until it holds the new data (or a newer one); otherwise it returns at once.
    /// </summary>
    /// <param name="data">The new data (copied).</param>
    /// <param name="cancellationToken">Cancels the wait (the data is still applied in the background).</param>
    public async Task SetDataAsync(byte[]? data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _state) == StateDisposed, this);
        Task? applied = null;
        lock (_lock)
        {
            _data = data?.ToArray();
            var version = ++_dataVersion;
            if (Volatile.Read(ref _state) == StateStarted && _created.Task.IsCompletedSuccessfully)
            {
                var waiter = NewSignal();
                _dataWaiters.Add((version, waiter));
                applied = waiter.Task;
            }
        }

        Signal();
        if (applied is not null)
        {
            await applied.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stops keeping the node: unsubscribes, stops the loop, removes the keeper's watches and deletes the node (at once
    /// if possible, otherwise with a guaranteed delete in the background).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, StateDisposed) == StateDisposed)
        {
            return;
        }

        _connection.StateChanged -= OnStateChanged;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        string? path;
        ZooKeeperSession? session;
        lock (_lock)
        {
            path = _actualPath;
            session = _nodeSession;
            _actualPath = null;
            _nodeSession = null;
            var disposed = new ObjectDisposedException(nameof(EphemeralNodeKeeper), $"The keeper of '{Path}' was disposed.");
            _created.TrySetException(disposed);
            foreach (var (_, applied) in _dataWaiters)
            {
                applied.TrySetException(disposed);
            }

            _dataWaiters.Clear();
        }

        // The watch removal and the delete's ownership check are independent: sent back to back, one round trip for
        // both, then the delete. The server handles one session's requests in order, so the watch is gone before the
        // delete is applied (no notification of our own delete), as when they were awaited one after the other.
        var removing = RemoveWatchesAsync(path);
        if (path is not null && session is not null)
        {
            Unclaim(path);
            await DeleteNodeAsync(path, session);
        }

        await removing;
        _stop.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal() => _signal.Writer.TryWrite(true);

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State == ConnectionState.Lost)
        {
            MarkNotCreated();
        }
        else if (change.State.IsConnected())
        {
            Signal();
        }
    }

    private void OnWatchEvent(WatchedEvent e)
    {
        if (e.Type is not (EventType.NodeCreated or EventType.NodeDeleted or EventType.NodeDataChanged))
        {
            return;
        }

        if (e.Type == EventType.NodeDeleted)
        {
            lock (_lock)
            {
                if (string.Equals(e.Path, _actualPath, StringComparison.Ordinal) && _created.Task.IsCompleted)
                {
                    _created = NewSignal();
                }
            }
        }

        Signal();
    }

    private void MarkNotCreated()
    {
        lock (_lock)
        {
            if (_created.Task.IsCompleted)
            {
                _created = NewSignal();
            }
        }
    }

    private void Claim(string path) => ClaimedPaths[(_connection, path)] = this;

    private void Unclaim(string path) => ClaimedPaths.TryRemove(KeyValuePair.Create((_connection, path), this));

    private bool IsClaimedByOther(string path) =>
        ClaimedPaths.TryGetValue((_connection, path), out var keeper) && !ReferenceEquals(keeper, this);

    private async Task RemoveWatchesAsync(string? actualPath)
    {
        var client = _connection.CurrentSession?.Client;
        if (client is null)
        {
            return;
        }

        foreach (var path in new[] { actualPath, _createPath }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            using var bound = new CancellationTokenSource(DisposeRequestTimeout, _connection.TimeProvider);
            try
            {
                await client.RemoveWatchesAsync(path, _watcher, WatcherType.Data, local: !client.State.IsConnected(), bound.Token);
            }
            catch (Exception e)
            {
                // NoWatcher: the watch fired or was never set here; anything else: the session ends with its watches.
                _logger.LogTrace(e, "Removing the watch on '{Path}' failed.", path);
            }
        }
    }

    private async Task DeleteNodeAsync(string path, ZooKeeperSession session)
    {
        using var bound = new CancellationTokenSource(DisposeRequestTimeout, _connection.TimeProvider);
        try
        {
            var stat = await session.Client.ExistsAsync(path, null, bound.Token);
            if (stat is not null && stat.EphemeralOwner == session.SessionId)
            {
                await session.Client.DeleteAsync(path, stat.Version, bound.Token);
                _logger.LogDebug("Deleted '{Path}' on disposal.", path);
            }

            return;
        }
        catch (NoNodeException)
        {
            return;
        }
        catch (Exception e) when (SessionRetry.IsSessionGone(e))
        {
            // The session ended: the server deletes its ephemeral nodes.
            return;
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Deleting '{Path}' on disposal failed; deleting it in the background.", path);
        }

        _connection.DeleteGuaranteed(path, session);
    }
}
