using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

// Processing: every input becomes an operation whose read starts at once, and the operations are applied by the apply
// loop strictly in the order they were issued (so in event order; reads are pipelined). A watch event with nothing
// queued ahead of it is issued right on the client's read loop (the cache's watcher is an IReadLoopWatcher: no thread
// hop between the notification and the read); otherwise it joins the input queue behind the others, which the issue
// loop turns into operations one by one.
// Issuing and joining the operation queue happen together under one lock, so the issue order is the apply order.
// All cache mutations and events happen on the apply loop.
public sealed partial class TreeCache
{
    /// <summary>How many operations may be in flight (issued, not yet applied) before the issue loop waits.</summary>
    private const int MaxOperationsInFlight = 1024;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly Channel<Work> _inputs = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Operation> _operations = Channel.CreateBounded<Operation>(
        new BoundedChannelOptions(MaxOperationsInFlight) { SingleReader = true });

    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly Lock _issueLock = new();
    private readonly Lock _retryLock = new();
    private readonly SemaphoreSlim _watchGate = new(1, 1);
    private Task _issueLoop = Task.CompletedTask;
    private Task _applyLoop = Task.CompletedTask;
    private ITimer? _retryTimer;
    private IZooKeeperClient? _watchClient;
    private int _resyncQueued;

    /// <summary>Inputs queued for the issue loop whose operations are not yet queued (written under <see cref="_issueLock"/>).</summary>
    private int _queuedInputs;
    private int _resyncFailures;
    private bool _limitLogged;

    private enum WorkKind
    {
        /// <summary>Read one node (NodeCreated, NodeDataChanged).</summary>
        Fetch,
        /// <summary>The node is gone (NodeDeleted).</summary>
        Delete,
        /// <summary>Read the subtree of a node seen for the first time.</summary>
        Load,
        /// <summary>(Re-)add the watch if this session lacks it, read the whole tree and diff.</summary>
        Resync,
    }

    private void OnWatchEvent(WatchedEvent watchedEvent)
    {
        // Runs on the client's read loop (a read-loop watcher: no hop between the notification and the read it needs):
        // it may send a read, which only queues a request, and takes the short issue lock, but never blocks, never
        // waits for a reply and never runs handlers (they run on the apply loop).
        if (watchedEvent.Path is not { } path
            || watchedEvent.Type is not (EventType.NodeCreated or EventType.NodeDataChanged or EventType.NodeDeleted)
            || !IsCached(path))
        {
            return;
        }

        var work = new Work(watchedEvent.Type == EventType.NodeDeleted ? WorkKind.Delete : WorkKind.Fetch, path);
        var token = _stoppingToken;
        lock (_issueLock)
        {
            // Nothing queued ahead (so issuing now keeps the order) and room in the operation queue: issue here. The
            // issue loop writes operations only while inputs are queued, so this is the only writer now.
            if (_queuedInputs == 0 && !token.IsCancellationRequested && _operations.Reader.Count < MaxOperationsInFlight)
            {
                if (Issue(work, token) is { } operation && !_operations.Writer.TryWrite(operation))
                {
                    _ = Operation.ObserveAsync(operation); // stopping: the apply loop is gone
                }

                return;
            }

            EnqueueLocked(work);
        }
    }

    /// <summary>Queues an input for the issue loop, behind every input and operation queued before.</summary>
    private void Enqueue(Work work)
    {
        lock (_issueLock)
        {
            EnqueueLocked(work);
        }
    }

    private void EnqueueLocked(Work work)
    {
        if (_inputs.Writer.TryWrite(work))
        {
            _queuedInputs++;
        }
    }

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (Volatile.Read(ref _state) != 1 || !change.State.IsConnected())
        {
            return;
        }

        // The first connection misses nothing: either the cache already watches on it, or its initial load (issued
        // or retrying) has yet to run on it.
        if (change.State == ConnectionState.Connected
            && (!_initialized.Task.IsCompleted || ReferenceEquals(Volatile.Read(ref _watchClient), _connection.CurrentSession?.Client)))
        {
            return;
        }

        _logger.LogDebug("The tree cache at '{Root}' re-synchronises after the connection became {State}{NewSession}.",
            Path, change.State, change.IsNewSession ? " with a new session" : "");
        RequestResync();
    }

    /// <summary>Whether a path is within the cached part of the tree (below the root, not deeper than MaxDepth).</summary>
    private bool IsCached(string path) =>
        TreePaths.IsWithin(Path, path) && (_options.MaxDepth is not { } maxDepth || TreePaths.Depth(Path, path) <= maxDepth);

    private bool MayHaveCachedChildren(string path) =>
        _options.MaxDepth is not { } maxDepth || TreePaths.Depth(Path, path) < maxDepth;

    private void RequestResync()
    {
        if (Interlocked.Exchange(ref _resyncQueued, 1) == 0)
        {
            Enqueue(new Work(WorkKind.Resync, Path));
        }
    }

    private async Task IssueLoopAsync()
    {
        var token = _stopping.Token;
        try
        {
            await foreach (var work in _inputs.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (Issue(work, token) is { } operation)
                {
                    try
                    {
                        await _operations.Writer.WriteAsync(operation, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        await Operation.ObserveAsync(operation).ConfigureAwait(false);
                        throw;
                    }
                }

                lock (_issueLock)
                {
                    _queuedInputs--;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "The tree cache at '{Root}' stopped issuing reads.", Path);
        }
        finally
        {
            _operations.Writer.TryComplete();
        }
    }

    /// <summary>Starts the read an input needs (synchronously, so reads go out in input order).</summary>
    private Operation? Issue(Work work, CancellationToken token)
    {
        switch (work.Kind)
        {
            case WorkKind.Delete:
                return new Operation(work, null, null);
            case WorkKind.Resync:
                Volatile.Write(ref _resyncQueued, 0);
                return new Operation(work, null, ResyncReadAsync(token));
        }

        // Events come from the client holding the watch; without one, a resync is on its way and covers this.
        if (Volatile.Read(ref _watchClient) is not { } client)
        {
            return null;
        }

        return work.Kind == WorkKind.Fetch
            ? new Operation(work, FetchAsync(client, work.Path, token), null)
            : new Operation(work, null, TreeReader.ReadAsync(client, Path, work.Path, _options, token));
    }

    private async Task<NodeSnapshot?> FetchAsync(IZooKeeperClient client, string path, CancellationToken token)
    {
        if (!_options.CacheData)
        {
            var stat = await client.ExistsAsync(path, null, token).ConfigureAwait(false);
            return stat is null ? null : new NodeSnapshot(path, null, stat);
        }

        try
        {
            var result = await client.GetDataAsync(path, null, token).ConfigureAwait(false);
            return new NodeSnapshot(path, result.Data, result.Stat);
        }
        catch (NoNodeException)
        {
            return null;
        }
    }

    private Task<TreeReadResult> ResyncReadAsync(CancellationToken token) =>
        _connection.ExecuteAsync(
            async (client, cancellationToken) =>
            {
                await EnsureWatchAsync(client, cancellationToken).ConfigureAwait(false);

                return await TreeReader.ReadAsync(client, Path, Path, _options, cancellationToken).ConfigureAwait(false);
            },
            token);

    /// <summary>Adds the persistent recursive watch on <paramref name="client"/> unless it already holds it (one add at a time).</summary>
    private async Task EnsureWatchAsync(IZooKeeperClient client, CancellationToken cancellationToken)
    {
        await _watchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(Volatile.Read(ref _watchClient), client))
            {
                return;
            }

            // Not cancellable: once sent, its registration must land in the client's table so disposal can remove it.
            await client.AddWatchAsync(Path, _watcher, AddWatchMode.PersistentRecursive, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _watchClient, client);
            _logger.LogDebug("The tree cache at '{Root}' watches it in session 0x{SessionId:x}.", Path, client.SessionId);
        }
        finally
        {
            _watchGate.Release();
        }
    }

    private async Task ApplyLoopAsync()
    {
        var changes = new List<TreeChange>();
        await foreach (var operation in _operations.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_stopping.IsCancellationRequested)
            {
                await Operation.ObserveAsync(operation).ConfigureAwait(false);
                continue;
            }

            changes.Clear();
            var resynced = false;
            try
            {
                resynced = await ApplyAsync(operation, changes).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                continue;
            }
            catch (Exception exception)
            {
                OnOperationFailed(operation.Work, exception);
            }

            ReportDropped();
            Raise(changes);
            if (resynced)
            {
                _initialized.TrySetResult();
                _firstLoad.TrySetResult();
            }
        }
    }

    /// <summary>Applies one operation; true when it was a successful resync.</summary>
    private async Task<bool> ApplyAsync(Operation operation, List<TreeChange> changes)
    {
        var work = operation.Work;
        switch (work.Kind)
        {
            case WorkKind.Delete:
                _store.ApplyMissing(work.Path, changes);
                return false;
            case WorkKind.Fetch:
                var node = await operation.Fetch!.ConfigureAwait(false);
                if (node is null)
                {
                    _store.ApplyMissing(work.Path, changes);
                }
                else if (_store.ApplyRead(node, changes) && MayHaveCachedChildren(work.Path))
                {
                    Enqueue(new Work(WorkKind.Load, work.Path));
                }

                return false;
            default:
                var read = await operation.Read!.ConfigureAwait(false);
                if (read.Truncated)
                {
                    _logger.LogError(
                        "The tree cache at '{Root}' stopped reading at its bound of {MaxNodes} nodes (TreeCacheOptions.MaxNodes); it is incomplete.",
                        Path, _options.MaxNodes);
                }

                _store.ApplySubtree(work.Path, read.Nodes, complete: !read.Truncated, changes);
                if (work.Kind != WorkKind.Resync)
                {
                    return false;
                }

                if (!read.Truncated && _store.Count < _options.MaxNodes)
                {
                    _limitLogged = false;
                }

                _resyncFailures = 0;
                return true;
        }
    }

    private void ReportDropped()
    {
        var dropped = _store.TakeDropped();
        if (dropped > 0 && !_limitLogged)
        {
            _limitLogged = true;
            _logger.LogError(
                "The tree cache at '{Root}' holds {MaxNodes} nodes, its bound (TreeCacheOptions.MaxNodes): new nodes are no longer cached, so it is incomplete.",
                Path, _options.MaxNodes);
        }
    }

    private void OnOperationFailed(Work work, Exception exception)
    {
        if (work.Kind != WorkKind.Resync)
        {
            // The read's outcome is unknown (connection loss, a replaced session): re-read everything.
            _logger.LogDebug(exception, "A read of '{Path}' for the tree cache at '{Root}' failed; re-synchronising.", work.Path, Path);
            RequestResync();
            return;
        }

        _resyncFailures++;
        _firstLoad.TrySetException(exception);
        var expected = exception is ConnectionLossException or SessionExpiredException or OperationTimeoutException or ObjectDisposedException;
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_resyncFailures - 1, 16))));
        _logger.Log(_resyncFailures == 1 && !expected ? LogLevel.Warning : LogLevel.Debug, exception,
            "Loading the tree cache at '{Root}' failed (attempt {Attempt}); retrying in {Delay} ms.", Path, _resyncFailures, delay.TotalMilliseconds);
        lock (_retryLock)
        {
            if (Volatile.Read(ref _state) != 1)
            {
                return;
            }

            _retryTimer?.Dispose();
            _retryTimer = _connection.TimeProvider.CreateTimer(static state => ((TreeCache)state!).RequestResync(), this, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>One input: a watch event, a subtree to load, or a resync.</summary>
    private sealed record Work(WorkKind Kind, string Path);

    /// <summary>An input with its read started (none for deletions).</summary>
    private sealed record Operation(Work Work, Task<NodeSnapshot?>? Fetch, Task<TreeReadResult>? Read)
    {
        /// <summary>Awaits the read of an operation that will not be applied, so its failure is observed.</summary>
        public static async Task ObserveAsync(Operation operation)
        {
            try
            {
                await ((Task?)operation.Fetch ?? operation.Read ?? Task.CompletedTask).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Not applied: the outcome does not matter.
            }
        }
    }
}
