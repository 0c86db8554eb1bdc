using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The participant loop every sequential recipe shares (Curator's <c>LockInternals</c>): list the participants under
/// one parent in sequence order, let the recipe's predicate decide, and otherwise wait for the one node the predicate
/// names (or, on the entry-based path, for all of at most <see cref="WatchAheadLimit"/> nodes ahead) — never the whole
/// parent, so a release wakes a bounded few waiters, not the herd.
/// </summary>
/// <remarks>
/// Participants are the children whose names contain one of the queue's markers, sorted by
/// <see cref="ProtectedNodeName.SortKey(string, IReadOnlyList{string})"/>. The node to wait for is watched with
/// <c>getData</c> (which, unlike <c>exists</c>, leaves no watch behind when the node is already gone).
/// </remarks>
public sealed partial class SequentialNodeQueue
{
    private readonly IZooKeeperConnection _connection;
    private readonly ILogger _logger;
    private readonly ILogger _watchLogger;
    private readonly int _watchAheadLimit = 2;

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
        _watchLogger = connection.LoggerFactory.CreateLogger<OwnedNodeWatch>();
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

    /// <summary>
    /// Whether every predicate used with this queue looks only at the participants before ours and is monotone: removing
    /// a participant ahead of ours never turns a grant into a wait. Sequence numbers only grow, so participants ahead of
    /// ours can only go away; with this set, when the node we wait for is deleted it is dropped from the last listing and
    /// the predicate runs again locally: if that grants, the turn is granted without a new <c>getChildren</c> (otherwise
    /// the queue is listed again as usual). True for <see cref="WithinFirst(int)"/> and for Curator's read-write rules.
    /// Default false (list again after every change).
    /// </summary>
    /// <remarks>
    /// It also assumes every participant is a sequential node created under the parent (as every recipe's are): a
    /// hand-made node whose name sorts before ours and that appears later is only seen after a listing.
    /// </remarks>
    public bool PredecessorsOnly { get; init; }

    /// <summary>
    /// With <see cref="PredecessorsOnly"/> and the <see cref="QueueEntry"/> overload: while at most this many
    /// participants are ahead of ours, a waiter watches every one of them, not only the one the predicate names.
    /// Default 2; 0 watches only the named node.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Participants ahead of ours can only go, so once all of them are watched each deletion is learned from its
    /// notification and dropped from the last listing: when the predecessor goes, the predicate grants from that
    /// listing without any request, however stale the listing was (a leader that resigned and rejoined at the back of a
    /// small election lists when it joins, and the nodes it listed then are deleted long before its turn). With
    /// more ahead than this, only the named node is watched and a deletion that does not grant lists again, so a deep
    /// queue adds no watches: each delete still wakes at most the waiters within this many places behind it.
    /// </para>
    /// <para>
    /// A data change on a watched node re-arms its watch (names are all the predicates look at). Watches that have
    /// not fired when the wait ends (for example on a semaphore's other holders) are removed.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int WatchAheadLimit
    {
        get => _watchAheadLimit;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _watchAheadLimit = value;
        }
    }

    /// <summary>
    /// Whether <see cref="JoinAsync"/> leaves the watch on our own node unsent (<see cref="OwnedNodeWatch.Defer(IZooKeeperConnection, SequentialNode)"/>)
    /// until it is needed: <see cref="WaitForTurnAsync(QueueEntry, Func{IReadOnlyList{string}, int, QueueDecision}, TimeSpan?, CancellationToken)"/>
    /// starts it before it waits for another node, and a holder granted at once starts it only when someone asks about
    /// ownership (a lock handle's <c>LostToken</c>). An uncontended turn then costs the create and the listing (one
    /// round trip) and the holder's delete: no <c>getData</c>. Default false (the watch is sent with the join).
    /// </summary>
    /// <remarks>
    /// A grant at once rests on the listing sent with the create: it was served after our node was created and shows it,
    /// and the create's reply proved the node is ours. A grant after waiting rests on our node's watch as without this.
    /// </remarks>
    public bool DeferOwnNodeWatch { get; init; }

    /// <summary>The participants' names in sequence order (empty when the parent does not exist).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<IReadOnlyList<string>> GetSortedChildrenAsync(CancellationToken cancellationToken) =>
        _connection.ExecuteAsync((client, ct) => ListAsync(client, ct), cancellationToken);

    /// <summary>
    /// An entry for a node created earlier (for example kept across a connection blip): watches it and confirms on the
    /// first read that <paramref name="node"/>'s session still owns it before anything is granted.
    /// </summary>
    /// <param name="node">Our node; its <see cref="SequentialNode.Session"/> is the session expected to own it.</param>
    public QueueEntry Resume(SequentialNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        CheckParent(node);
        return new QueueEntry(OwnedNodeWatch.Start(_connection, node, ownershipProven: false, _watchLogger), null);
    }

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
    /// This overload sets no watch on our node and lists again after every change;
    /// <see cref="JoinAsync"/> with the <see cref="QueueEntry"/> overload is the faster path.
    /// </remarks>
    public Task<QueueResult> WaitForTurnAsync(
        SequentialNode ourNode,
        Func<IReadOnlyList<string>, int, QueueDecision> predicate,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ourNode);
        ArgumentNullException.ThrowIfNull(predicate);
        CheckTimeout(timeout);
        CheckParent(ourNode);
        return WaitCoreAsync(ourNode, null, predicate, timeout, cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> grants <paramref name="entry"/>'s turn, as the
    /// <see cref="SequentialNode"/> overload does, using the entry's watch instead of asking the server again.
    /// </summary>
    /// <param name="entry">Our entry, from <see cref="JoinAsync"/> or <see cref="Resume"/>.</param>
    /// <param name="predicate">The recipe's rule: given the sorted names and our index, granted or the name to wait for.</param>
    /// <param name="timeout">How long to wait at most; null to wait until granted; zero to check once.</param>
    /// <param name="cancellationToken">Cancels the wait (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>
    /// <see cref="QueueOutcome.Granted"/> only when a listing served after our node was created shows it, the predicate
    /// grants, our node is proven ours (the create's reply or <see cref="OwnedNodeWatch.Confirmed"/>), its watch has not
    /// reported it deleted and its session's ownership holds; otherwise why the wait ended.
    /// </returns>
    /// <remarks>
    /// The first round uses the listing sent with the create. When our node's watch fires (someone deleted it) the wait
    /// ends at once with <see cref="QueueOutcome.NodeLost"/>. With <see cref="PredecessorsOnly"/>, deleted participants
    /// ahead of ours (the watched ones; all of them while at most <see cref="WatchAheadLimit"/> are ahead) are dropped
    /// from the last listing and the predicate runs again without a new listing while the client is connected (a grant
    /// then rests on delete notifications, which the server sent on our live session after any delete of our own node).
    /// The caller deletes the node on every outcome but a grant it keeps.
    /// </remarks>
    public Task<QueueResult> WaitForTurnAsync(
        QueueEntry entry,
        Func<IReadOnlyList<string>, int, QueueDecision> predicate,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(predicate);
        CheckTimeout(timeout);
        CheckParent(entry.Node);
        return WaitCoreAsync(entry.Node, entry, predicate, timeout, cancellationToken);
    }

    private async Task<QueueResult> WaitCoreAsync(
        SequentialNode ourNode,
        QueueEntry? entry,
        Func<IReadOnlyList<string>, int, QueueDecision> predicate,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var time = _connection.TimeProvider;
        var session = ourNode.Session;
        var start = time.GetTimestamp();
        IReadOnlyList<string> sorted = [];
        using var stop = entry is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.OwnershipLostToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.OwnershipLostToken, entry.Watch.LostToken);
        QueueResult Lost() => new(session.IsOwnershipLost ? QueueOutcome.OwnershipLost : QueueOutcome.NodeLost, ourNode, sorted);
        var first = entry?.TakeFirstListing();
        var fromExactListing = first is not null && entry!.FirstListingIsExact;
        var listed = false;

        // With predecessor-only predicates and our node's watch, deletions seen ahead of ours may be applied to the last
        // listing instead of listing again.
        var local = entry is not null && PredecessorsOnly;
        var watches = new PredecessorWatches();
        var timedOut = false;

        // A reconnection re-registers the watches (ours and our own node's) and the server fires the deletes missed
        // meanwhile in no particular order, so after one only a new listing (served after those events) may grant.
        var disconnections = 0;
        var disconnectionsAtListing = 0;
        var client = session.Client;
        EventHandler<ZooKeeperStateChange> onStateChanged = (_, change) =>
        {
            if (change.NewState != ZooKeeperState.Connected)
            {
                Interlocked.Increment(ref disconnections);
            }
        };
        client.StateChanged += onStateChanged;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (session.IsOwnershipLost)
                {
                    return new QueueResult(QueueOutcome.OwnershipLost, ourNode, sorted);
                }

                if (entry is { Watch.IsLost: true })
                {
                    return Lost();
                }

                if (!listed)
                {
                    disconnectionsAtListing = Volatile.Read(ref disconnections);
                    var joinListing = first is null ? null : await first.ConfigureAwait(false);
                    fromExactListing &= joinListing is not null;
                    sorted = joinListing ?? await SessionRetry.RunAsync(_connection, session, ListAsync, stop.Token).ConfigureAwait(false);
                    first = null;
                    if (local)
                    {
                        // A listing served before a delete whose notification we already have still names the node.
                        sorted = watches.Prune(sorted);
                    }
                }
                else
                {
                    fromExactListing = false;
                }

                listed = false;
                var ourIndex = IndexOf(sorted, ourNode.Name);
                if (ourIndex < 0)
                {
                    _logger.LogDebug("'{Path}' is no longer among the participants of '{Parent}'.", ourNode.Path, ParentPath);
                    return Lost();
                }

                var decision = predicate(sorted, ourIndex) ?? throw new InvalidOperationException("The queue predicate returned null.");
                if (decision.IsGranted)
                {
                    var owned = entry is null
                        ? await _connection.IsOwnedByAsync(ourNode.Path, session, stop.Token).ConfigureAwait(false)
                        : await entry.Watch.Confirmed.WaitAsync(stop.Token).ConfigureAwait(false) && !entry.Watch.IsLost && !session.IsOwnershipLost;
                    if (owned && fromExactListing)
                    {
                        // Granted from the listing that came with our create (see NoteReleased).
                        Volatile.Write(ref _grantedAtOnce, new ExactListing(ourNode, sorted));
                    }

                    return owned ? new QueueResult(QueueOutcome.Granted, ourNode, sorted) : Lost();
                }

                var remaining = Remaining(timeout, time.GetElapsedTime(start));
                if (remaining == TimeSpan.Zero)
                {
                    timedOut = true;
                    return new QueueResult(QueueOutcome.TimedOut, ourNode, sorted);
                }

                // Waiting: our node's watch must be on the server before the ones we wait for (a deferred one is sent
                // now), so a delete of our node is reported before any notification that could grant us the turn.
                entry?.Watch.EnsureStarted();

                // Few enough ahead: watch them all, so that each of their deletions is seen (none can appear ahead of
                // ours). Otherwise only the node the predicate names, as any deep queue does.
                IEnumerable<string> toWatch = local && ourIndex <= WatchAheadLimit ? sorted.Take(ourIndex) : [decision.WatchNodeName!];
                if (!await WaitForChangeAsync(session, watches, toWatch, remaining, stop.Token).ConfigureAwait(false))
                {
                    timedOut = true;
                    return new QueueResult(QueueOutcome.TimedOut, ourNode, sorted);
                }

                if (local && client.State == ZooKeeperState.Connected && Volatile.Read(ref disconnections) == disconnectionsAtListing)
                {
                    // Participants ahead of ours can only go: the last listing without the ones seen deleted still holds
                    // every one that exists. If it grants, the turn is ours (the predicate is monotone). If it does not
                    // but every node ahead in it is watched, it stays exact, so wait on. Otherwise it may name nodes
                    // long gone (the holders before the one we watched): list again rather than probe them one by one.
                    var pruned = watches.Prune(sorted);
                    var index = IndexOf(pruned, ourNode.Name);
                    if (index >= 0 && (predicate(pruned, index) is { IsGranted: true } || watches.Covers(pruned, index, WatchAheadLimit)))
                    {
                        sorted = pruned;
                        listed = true;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && (session.IsOwnershipLost || entry is { Watch.IsLost: true }))
        {
            return Lost();
        }
        catch (Exception e) when (SessionRetry.IsSessionGone(e))
        {
            // The session ended (its nodes go with it) or its client was replaced.
            return Lost();
        }
        finally
        {
            client.StateChanged -= onStateChanged;

            // Watches on nodes still there (a semaphore's holders, or a wait that ended early) must not stay on the
            // server. A timed-out or cancelled caller gets its answer once they are removed (as before); a grant or a
            // lost node does not wait for it.
            var removal = RemoveWatchesQuietlyAsync(session, watches);
            if (timedOut || cancellationToken.IsCancellationRequested)
            {
                await removal.ConfigureAwait(false);
            }
        }
    }

    private static void CheckTimeout(TimeSpan? timeout)
    {
        if (timeout is { } t && t < TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative.");
        }
    }

    private void CheckParent(SequentialNode node)
    {
        if (node.ParentPath != ParentPath)
        {
            throw new ArgumentException($"'{node.Path}' is not a child of the queue's parent '{ParentPath}'.", nameof(node));
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

    /// <summary>
    /// Watches the nodes <paramref name="names"/> that are not watched yet and waits until a watched node changes or
    /// goes (at once if one is already gone); false when <paramref name="remaining"/> passed first.
    /// </summary>
    private async Task<bool> WaitForChangeAsync(
        ZooKeeperSession session,
        PredecessorWatches watches,
        IEnumerable<string> names,
        TimeSpan? remaining,
        CancellationToken cancellationToken)
    {
        var toArm = watches.BeginArming(names);
        if (toArm.Count == 1)
        {
            await ArmAsync(session, watches, toArm[0], cancellationToken).ConfigureAwait(false);
        }
        else if (toArm.Count > 1)
        {
            // Sent back to back: one round trip for all of them.
            await Task.WhenAll(toArm.Select(name => ArmAsync(session, watches, name, cancellationToken))).ConfigureAwait(false);
        }

        try
        {
            var changed = watches.Changed;
            await (remaining is { } r
                ? changed.WaitAsync(r, _connection.TimeProvider, cancellationToken)
                : changed.WaitAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }

        // Changes from now on wake the next wait; the ones before are in the state the caller reads next.
        watches.ResetSignal();
        return true;
    }

    /// <summary>Sets our watch on one node; a node already gone (no watch left) is recorded as deleted.</summary>
    private async Task ArmAsync(ZooKeeperSession session, PredecessorWatches watches, string name, CancellationToken cancellationToken)
    {
        var path = PathUtils.Combine(ParentPath, name);
        try
        {
            await SessionRetry.RunAsync(_connection, session, (client, ct) => client.GetDataAsync(path, watches.Watcher, ct), cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LogTrace("Waiting for '{Path}' to change or go.", path);
            }
        }
        catch (NoNodeException)
        {
            watches.MarkGone(name);
        }
    }

    /// <summary>Removes the watches of one wait that have not fired (best effort, bounded).</summary>
    private async Task RemoveWatchesQuietlyAsync(ZooKeeperSession session, PredecessorWatches watches)
    {
        var armed = watches.TakeArmed();
        if (armed.Count > 0)
        {
            await Task.WhenAll(armed.Select(name => RemoveWatchQuietlyAsync(session, PathUtils.Combine(ParentPath, name), watches.Watcher))).ConfigureAwait(false);
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
