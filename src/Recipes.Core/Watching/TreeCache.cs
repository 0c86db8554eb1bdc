using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// An in-memory copy of a znode and all its descendants, kept current with one persistent recursive watch, with events
/// for every created, changed and deleted node.
/// </summary>
/// <remarks>
/// <para>
/// Start: the watch is added first, then the tree is read (breadth first, pipelined). A missing root means an empty
/// tree until it is created. The initial nodes are reported as <see cref="Created"/> events (parents before
/// children), then <see cref="Initialized"/> completes, once.
/// </para>
/// <para>
/// Live changes: NodeCreated and NodeDataChanged lead to a read of the node (a missing node counts as deleted); a node
/// seen for the first time that already has children gets its subtree read, since children created before that read
/// send no events of their own (recursive watches never send NodeChildrenChanged). NodeDeleted removes the node and
/// every cached descendant, each reported, children first. Reads are pipelined but applied strictly in the order of
/// the events, and never take a node back in time: an older read (lower czxid, or lower mzxid of the same incarnation)
/// is ignored.
/// </para>
/// <para>
/// Blind spots: after a reconnect in the same session the client re-registers the watch but the server sends no
/// catch-up events; after a new session the watch is gone. Either way the cache re-adds the watch if needed, re-reads
/// the whole tree and reports the difference: a different czxid means the node was deleted and re-created while the
/// cache was blind (<see cref="Deleted"/> then <see cref="Created"/>, even when the data is equal); a newer mzxid,
/// <see cref="Changed"/>. Intermediate states that lasted only while blind are not seen.
/// </para>
/// <para>
/// Events are raised one at a time, in order, on the cache's own processing loop (never on the client's dispatcher);
/// a slow handler delays the cache. <see cref="TryGet"/>, <see cref="Snapshot"/> and <see cref="Count"/> may be used
/// from any thread. Stat fields about children (<see cref="Stat.NumChildren"/>, <see cref="Stat.Cversion"/>,
/// <see cref="Stat.Pzxid"/>) are as of the node's latest read and may lag. Memory per node: see
/// <see cref="TreeCacheOptions"/>.
/// </para>
/// </remarks>
public sealed partial class TreeCache : IAsyncDisposable
{
    private readonly IZooKeeperConnection _connection;
    private readonly TreeCacheOptions _options;
    private readonly ILogger _logger;
    private readonly IWatcher _watcher;
    private readonly TreeStore _store;
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private int _raiseRemaining;

    /// <summary>Creates a cache; it starts on <see cref="StartAsync"/>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The root of the cached tree (it need not exist).</param>
    /// <param name="options">Settings; null for the defaults. Copied: later changes have no effect.</param>
    /// <exception cref="ArgumentException">The path or an option is invalid.</exception>
    public TreeCache(IZooKeeperConnection connection, string path, TreeCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        _options = (options ?? new TreeCacheOptions()).Clone();
        _options.Validate();
        _connection = connection;
        Path = path;
        _logger = connection.LoggerFactory.CreateLogger<TreeCache>();
        _watcher = Watcher.CreateOnReadLoop(OnWatchEvent);
        _store = new TreeStore(path, _options.MaxNodes);
        _stoppingToken = _stopping.Token; // usable even after disposal, unlike _stopping.Token

        // A first-load failure nobody awaits (StartAsync gave up waiting) must not surface as an unobserved exception.
        _firstLoad.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>A node appeared (also raised for every node of the initial load).</summary>
    public event EventHandler<TreeCacheEventArgs>? Created;

    /// <summary>A node's data changed (a newer mzxid).</summary>
    public event EventHandler<TreeCacheEventArgs>? Changed;

    /// <summary>A node disappeared (raised for each descendant too, children before parents).</summary>
    public event EventHandler<TreeCacheEventArgs>? Deleted;

    /// <summary>The root of the cached tree.</summary>
    public string Path { get; }

    /// <summary>
    /// Completes once, after the initial load has been applied and its <see cref="Created"/> events raised (also when
    /// the root does not exist). Canceled if the cache is disposed first.
    /// </summary>
    public Task Initialized => _initialized.Task;

    /// <summary>The number of cached nodes.</summary>
    public int Count => _store.Count;

    /// <summary>
    /// Whether the cache already holds more to report right behind the event being handled: further changes of the
    /// same read (a re-synchronisation reports many), or watch events and reads queued behind it. An event handler can
    /// use it to batch its own work at the end of a burst. It is a hint: queued work may turn out to change nothing, so
    /// a handler that defers must still finish its work without a further event.
    /// </summary>
    public bool HasPendingChanges =>
        Volatile.Read(ref _raiseRemaining) > 0 || Volatile.Read(ref _queuedInputs) > 0 || HasItems(_operations.Reader);

    /// <summary>The cached node at <paramref name="path"/>, if any.</summary>
    /// <param name="path">A path at or below <see cref="Path"/>.</param>
    /// <param name="node">The node, when cached.</param>
    public bool TryGet(string path, [NotNullWhen(true)] out NodeSnapshot? node) => _store.TryGet(path, out node);

    /// <summary>A copy of every cached node by path, taken at one moment.</summary>
    public IReadOnlyDictionary<string, NodeSnapshot> Snapshot() => _store.Snapshot();

    /// <summary>
    /// Adds the watch and loads the tree; completes when the cache is initialized. If the first load fails, its
    /// exception is thrown here while the cache keeps retrying in the background (dispose it to stop).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the cache keeps running).</param>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var state = Interlocked.CompareExchange(ref _state, 1, 0);
        ObjectDisposedException.ThrowIf(state == 2, this);
        if (state == 1)
        {
            await Initialized.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        _connection.StateChanged += OnStateChanged;
        _issueLoop = Task.Run(IssueLoopAsync, CancellationToken.None);
        _applyLoop = Task.Run(ApplyLoopAsync, CancellationToken.None);
        RequestResync();
        await _firstLoad.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops processing, unsubscribes from the connection and removes the watch from the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _connection.StateChanged -= OnStateChanged;
        lock (_retryLock)
        {
            _retryTimer?.Dispose();
            _retryTimer = null;
        }

        _inputs.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _issueLoop.ConfigureAwait(false);
        await _applyLoop.ConfigureAwait(false);
        _initialized.TrySetCanceled();
        _firstLoad.TrySetCanceled();
        if (Volatile.Read(ref _watchClient) is { } client)
        {
            await WatchRemoval.RemoveAsync(client, Path, _watcher, _logger, _connection.TimeProvider).ConfigureAwait(false);
        }

        _stopping.Dispose();
        _watchGate.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"TreeCache({Path}: {Count} nodes{(Initialized.IsCompletedSuccessfully ? "" : ", not initialized")})";

    private static bool HasItems<T>(System.Threading.Channels.ChannelReader<T> reader) =>
        reader.CanCount ? reader.Count > 0 : reader.TryPeek(out _);

    private void Raise(List<TreeChange> changes)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            Volatile.Write(ref _raiseRemaining, changes.Count - 1 - i);
            var handler = change.Kind switch
            {
                TreeChangeKind.Created => Created,
                TreeChangeKind.Changed => Changed,
                _ => Deleted,
            };
            if (handler is null)
            {
                continue;
            }

            try
            {
                handler(this, new TreeCacheEventArgs(change.Path, change.Old, change.New));
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "A {Kind} handler of the tree cache at '{Root}' threw for '{Path}'.", change.Kind, Path, change.Path);
            }
        }

        Volatile.Write(ref _raiseRemaining, 0);
    }
}
