using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Locks.Internal;

/// <summary>
/// A lock whose holders are decided by a predicate over one <see cref="SequentialNodeQueue"/>: the mutex, and each
/// side of the read-write lock. Node creation, waiting and the ownership check are Core's; this adds the acquire loop
/// (timeout, cancellation, a new node after the old one was lost) and the handle.
/// </summary>
internal sealed class QueueLock : IZooKeeperLock
{
    private readonly IZooKeeperConnection _connection;
    private readonly SequentialNodeQueue _queue;
    private readonly string _marker;
    private readonly Func<IReadOnlyList<string>, int, QueueDecision> _predicate;
    private readonly byte[]? _data;
    private readonly ILogger _logger;

    public QueueLock(
        IZooKeeperConnection connection,
        string path,
        string marker,
        IReadOnlyList<string> markers,
        Func<IReadOnlyList<string>, int, QueueDecision> predicate,
        byte[]? data,
        ILogger logger)
    {
        _connection = connection;
        // Every lock predicate (WithinFirst, the read-write rules) looks only ahead of our node and is monotone. The
        // watch on our own node waits until the acquire has to wait or the holder reads the handle's LostToken.
        _queue = new SequentialNodeQueue(connection, path, markers) { PredecessorsOnly = true, DeferOwnNodeWatch = true };
        _marker = marker;
        _predicate = predicate;
        _data = data;
        _logger = logger;
        Path = path;
    }

    public string Path { get; }

    public async Task<ZooKeeperLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await AcquireCoreAsync(timeout, cancellationToken).ConfigureAwait(false)
        ?? throw new TimeoutException($"The lock '{Path}' was not acquired within {timeout}.");

    public Task<ZooKeeperLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AcquireCoreAsync(timeout, cancellationToken);

    /// <summary>Acquires; null when the timeout passed.</summary>
    public async Task<ZooKeeperLockHandle?> AcquireCoreAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(_connection.TimeProvider, timeout);
        var dataTask = LockNodeData.ResolveAsync(_data);
        var data = dataTask.IsCompletedSuccessfully ? dataTask.Result : await dataTask.ConfigureAwait(false);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entry = await JoinAsync(data, deadline, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                if (deadline.IsExpired)
                {
                    return null;
                }

                continue;
            }

            QueueResult result;
            try
            {
                result = await _queue.WaitForTurnAsync(entry, _predicate, deadline.Remaining, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await ZooKeeperLockHandle.DeleteNodeAsync(_connection, entry.Node, _logger).ConfigureAwait(false);
                throw;
            }

            if (result.IsGranted)
            {
                return ZooKeeperLockHandle.Create(_connection, Path, entry.Watch, _logger, _queue);
            }

            await ZooKeeperLockHandle.DeleteNodeAsync(_connection, entry.Node, _logger).ConfigureAwait(false);
            if (result.Outcome == QueueOutcome.TimedOut || deadline.IsExpired)
            {
                return null;
            }

            _logger.LogInformation("Our node for '{Path}' was lost while waiting ({Outcome}); queueing again with a new node.", Path, result.Outcome);
        }
    }

    /// <summary>
    /// Creates our node on the current session; null when no session came before the timeout passed or the session's
    /// ownership was lost meanwhile. The create itself is bounded by the retry policy, not by the timeout, so a zero
    /// timeout still queues once.
    /// </summary>
    private async Task<QueueEntry?> JoinAsync(byte[] data, Deadline deadline, CancellationToken cancellationToken)
    {
        ZooKeeperSession? session = null;
        try
        {
            session = _connection.CurrentSession is { IsOwnershipLost: false } current && _connection.State.IsConnected()
                ? current
                : await WaitForSessionAsync(deadline, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                return null;
            }

            return await _queue.JoinAsync(_marker, data, session, cancellationToken).ConfigureAwait(false);
        }
        catch (OwnershipLostException e) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogDebug(e, "The session was lost while creating our node under '{Path}'.", Path);
            return null;
        }
        catch (SessionExpiredException e) when (!cancellationToken.IsCancellationRequested && session is not null)
        {
            // The session died under the create (its client learned it first): wait until the connection has given up
            // that session, so the next attempt runs on its successor instead of spinning on the dead one.
            _logger.LogDebug(e, "The session expired while creating our node under '{Path}'; queueing on the next session.", Path);
            using var bounded = deadline.CreateTokenSource(cancellationToken);
            using var superseded = CancellationTokenSource.CreateLinkedTokenSource(bounded.Token, session.OwnershipLostToken);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _connection.TimeProvider, superseded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            return null;
        }
    }

    private async Task<ZooKeeperSession?> WaitForSessionAsync(Deadline deadline, CancellationToken cancellationToken)
    {
        using var bounded = deadline.CreateTokenSource(cancellationToken);
        try
        {
            return await _connection.WaitForSessionAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsExpired)
        {
            return null;
        }
    }
}
