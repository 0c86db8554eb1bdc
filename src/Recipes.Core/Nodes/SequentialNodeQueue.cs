using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The participant loop every sequential recipe shares (Curator's <c>LockInternals</c>): list the participants under
/// one parent in sequence order, let the recipe's predicate decide, and otherwise wait for exactly the one node the
/// predicate names — never the whole parent, so a release wakes one waiter, not the herd.
/// </summary>
/// <remarks>
/// Participants are the children whose names contain one of the queue's markers, sorted by
/// <see cref="ProtectedNodeName.SortKey(string, IReadOnlyList{string})"/>. The node to wait for is watched with
/// <c>getData</c> (which, unlike <c>exists</c>, leaves no watch behind when the node is already gone).
/// </remarks>
public sealed class SequentialNodeQueue
{
    private readonly IZooKeeperConnection _connection;
    private readonly ILogger _logger;

    /// <summary>Creates the queue of participants under <paramref name="parentPath"/>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="parentPath">The recipe's path, e.g. <c>/locks/orders</c>.</param>
    /// <param name="markers">The recipe's marker(s), e.g. <c>lock-</c>, or <c>__READ__</c> and <c>__WRIT__</c> (one sequence counter).</param>
    public SequentialNodeQueue(IZooKeeperConnection connection, string parentPath, params IReadOnlyList<string> markers)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(parentPath);
        ArgumentNullException.ThrowIfNull(markers);
        if (markers.Count == 0 || markers.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("At least one non-empty marker is needed.", nameof(markers));
        }

        _connection = connection;
        _logger = connection.LoggerFactory.CreateLogger<SequentialNodeQueue>();
        ParentPath = parentPath;
        Markers = markers.ToArray();
    }

    /// <summary>The parent path of the participants.</summary>
    public string ParentPath { get; }

    /// <summary>The markers participant names contain.</summary>
    public IReadOnlyList<string> Markers { get; }

    /// <summary>
    /// The standard predicate for at most <paramref name="count"/> holders (a mutex for 1): granted within the first
    /// <paramref name="count"/>, otherwise wait for the participant <paramref name="count"/> places ahead.
    /// </summary>
    public static Func<IReadOnlyList<string>, int, QueueDecision> WithinFirst(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return (sortedNames, ourIndex) => ourIndex < count ? QueueDecision.Granted : QueueDecision.WaitFor(sortedNames[ourIndex - count]);
    }

    /// <summary>The participants' names in sequence order (empty when the parent does not exist).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<IReadOnlyList<string>> GetSortedChildrenAsync(CancellationToken cancellationToken) =>
        _connection.ExecuteAsync((client, ct) => ListAsync(client, ct), cancellationToken);

    /// <summary>
    /// Waits until <paramref name="predicate"/> grants <paramref name="ourNode"/>'s turn. Each round lists the
    /// participants, finds our index, and asks the predicate; when it names a node to wait for, that node is watched
    /// and the round repeats once it changes or goes (at once if it is already gone).
    /// </summary>
    /// <param name="ourNode">Our participant node (from <see cref="ZooKeeperConnectionSequentialNodeExtensions.CreateProtectedSequentialAsync"/>); its session's client runs every request.</param>
    /// <param name="predicate">The recipe's rule: given the sorted names and our index, granted or the name to wait for.</param>
    /// <param name="timeout">How long to wait at most; null to wait until granted; zero to check once.</param>
    /// <param name="cancellationToken">Cancels the wait (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>
    /// <see cref="QueueOutcome.Granted"/> only after confirming that our node exists, is owned by its session and that
    /// session's ownership holds (<see cref="ZooKeeperConnectionSequentialNodeExtensions.IsOwnedByAsync"/>);
    /// otherwise why the wait ended.
    /// </returns>
    /// <remarks>
    /// This never deletes <paramref name="ourNode"/>. On every outcome other than <see cref="QueueOutcome.Granted"/>,
    /// and when cancelled or failing, the caller must delete it — usually
    /// <c>connection.DeleteGuaranteed(ourNode.Path, ourNode.Session)</c> — or it keeps its place in the queue.
    /// </remarks>
    public async Task<QueueResult> WaitForTurnAsync(
        SequentialNode ourNode,
        Func<IReadOnlyList<string>, int, QueueDecision> predicate,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ourNode);
        ArgumentNullException.ThrowIfNull(predicate);
        if (timeout is { } t && t < TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative.");
        }

        if (ourNode.ParentPath != ParentPath)
        {
            throw new ArgumentException($"'{ourNode.Path}' is not a child of the queue's parent '{ParentPath}'.", nameof(ourNode));
        }

        var time = _connection.TimeProvider;
        var session = ourNode.Session;
        var start = time.GetTimestamp();
        IReadOnlyList<string> sorted = [];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.OwnershipLostToken);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (session.IsOwnershipLost)
                {
                    return new QueueResult(QueueOutcome.OwnershipLost, ourNode, sorted);
                }

                sorted = await SessionRetry.RunAsync(_connection, session, ListAsync, stop.Token);
                var ourIndex = IndexOf(sorted, ourNode.Name);
                if (ourIndex < 0)
                {
                    _logger.LogDebug("'{Path}' is no longer among the participants of '{Parent}'.", ourNode.Path, ParentPath);
                    return new QueueResult(session.IsOwnershipLost ? QueueOutcome.OwnershipLost : QueueOutcome.NodeLost, ourNode, sorted);
                }

                var decision = predicate(sorted, ourIndex) ?? throw new InvalidOperationException("The queue predicate returned null.");
                if (decision.IsGranted)
                {
                    if (await _connection.IsOwnedByAsync(ourNode.Path, session, stop.Token))
                    {
                        return new QueueResult(QueueOutcome.Granted, ourNode, sorted);
                    }

                    return new QueueResult(session.IsOwnershipLost ? QueueOutcome.OwnershipLost : QueueOutcome.NodeLost, ourNode, sorted);
                }

                var remaining = Remaining(timeout, time.GetElapsedTime(start));
                if (remaining == TimeSpan.Zero)
                {
                    return new QueueResult(QueueOutcome.TimedOut, ourNode, sorted);
                }

                if (!await WaitForChangeAsync(session, PathUtils.Combine(ParentPath, decision.WatchNodeName!), remaining, stop.Token))
                {
                    return new QueueResult(QueueOutcome.TimedOut, ourNode, sorted);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && session.IsOwnershipLost)
        {
            return new QueueResult(QueueOutcome.OwnershipLost, ourNode, sorted);
        }
        catch (Exception e) when (SessionRetry.IsSessionGone(e))
        {
            // The session ended (its nodes go with it) or its client was replaced.
            return new QueueResult(session.IsOwnershipLost ? QueueOutcome.OwnershipLost : QueueOutcome.NodeLost, ourNode, sorted);
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>What is left of the timeout: null for none, zero when it has passed.</summary>
    private static TimeSpan? Remaining(TimeSpan? timeout, TimeSpan elapsed)
    {
        if (timeout is null || timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        var remaining = timeout.Value - elapsed;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private async Task<IReadOnlyList<string>> ListAsync(IZooKeeperClient client, CancellationToken cancellationToken)
    {
        try
        {
            var children = await client.GetChildrenAsync(ParentPath, null, cancellationToken);
            return ProtectedNodeName.Sort(children.Children, Markers);
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>Watches <paramref name="path"/> and waits for it to change or go: true to look again, false on timeout.</summary>
    private async Task<bool> WaitForChangeAsync(ZooKeeperSession session, string path, TimeSpan? remaining, CancellationToken cancellationToken)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = Watcher.Create(_ => changed.TrySetResult());
        try
        {
            await SessionRetry.RunAsync(_connection, session, (client, ct) => client.GetDataAsync(path, watcher, ct), cancellationToken);
        }
        catch (NoNodeException)
        {
            // Already gone: no watch was left; look again at once.
            return true;
        }

        _logger.LogTrace("Waiting for '{Path}' to change or go.", path);
        try
        {
            if (remaining is { } r)
            {
                await changed.Task.WaitAsync(r, _connection.TimeProvider, cancellationToken);
            }
            else
            {
                await changed.Task.WaitAsync(cancellationToken);
            }

            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            await RemoveWatchQuietlyAsync(session, path, watcher);
            if (e is TimeoutException)
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>Removes a watch we no longer need (best effort, bounded), so waiting leaves nothing behind on the server.</summary>
    private async Task RemoveWatchQuietlyAsync(ZooKeeperSession session, string path, IWatcher watcher)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2), _connection.TimeProvider);
        try
        {
            await session.Client.RemoveWatchesAsync(path, watcher, WatcherType.Data, local: false, bound.Token);
        }
        catch (Exception e)
        {
            _logger.LogTrace(e, "Removing the watch on '{Path}' failed (it fired or the session ended).", path);
        }
    }
}
