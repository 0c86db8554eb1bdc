using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

// Joining: the create and the listing in one write, the re-join shortcut (NoteReleased), and the listing that comes
// with the create. The wait loop is in SequentialNodeQueue.cs.
public sealed partial class SequentialNodeQueue
{
    // The re-join shortcut (see NoteReleased): the last node granted from the listing that came with its create, that
    // node once our delete of it was acknowledged, and whether the last join that could use it did.
    private ExactListing? _grantedAtOnce;
    private ExactListing? _released;
    private volatile bool _sendCreateAlone;

    /// <summary>
    /// Joins the queue: creates our protected sequential-ephemeral node
    /// (<c>_c_&lt;uuid&gt;-&lt;prefix&gt;&lt;sequence&gt;</c>, as
    /// <see cref="ZooKeeperConnectionSequentialNodeExtensions.CreateProtectedSequentialAsync"/>) on
    /// <paramref name="session"/> and starts the <see cref="OwnedNodeWatch"/> on it (or defers it, with <see cref="DeferOwnNodeWatch"/>).
    /// </summary>
    /// <param name="prefix">The recipe's marker for this node (one of <see cref="Markers"/>).</param>
    /// <param name="data">The node's data.</param>
    /// <param name="session">The session to create the node on (usually <see cref="IZooKeeperConnection.CurrentSession"/>).</param>
    /// <param name="cancellationToken">Cancels the operation (a node that may have been created is then deleted in the background).</param>
    /// <returns>Our entry; pass it to <see cref="WaitForTurnAsync(QueueEntry, Func{IReadOnlyList{string}, int, QueueDecision}, TimeSpan?, CancellationToken)"/>.</returns>
    /// <remarks>
    /// <para>
    /// One round trip when the parent exists: the create and the listing of the parent are sent back to back in one write (the
    /// server answers one session's requests in order, so the listing includes our node), and the watch's
    /// <c>getData</c> follows the create's reply (unless <see cref="DeferOwnNodeWatch"/>). The create's reply proves the node is ours (its
    /// <c>ephemeralOwner</c> is our session), so granting waits for neither the watch nor another check.
    /// </para>
    /// <para>
    /// A missing parent (created as containers) or a lost reply fall back to the retrying create with protection, which
    /// finds a node created before the connection was lost.
    /// </para>
    /// </remarks>
    /// <exception cref="OwnershipLostException">The session's ownership was lost before the node was created.</exception>
    public async Task<QueueEntry> JoinAsync(string prefix, byte[]? data, ZooKeeperSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(session);
        session.ThrowIfOwnershipLost();
        var protectionId = ProtectedNodeName.NewId();
        var nodePrefix = ProtectedNodeName.NodePrefix(protectionId);
        var basePath = PathUtils.Combine(ParentPath, nodePrefix + prefix);
        PathUtils.Validate(basePath, sequential: true);
        var client = session.Client;

        // Our previous node, released since: if nothing but its delete happens before our create, the listing is known.
        var released = Interlocked.Exchange(ref _released, null);
        var sendListing = released is null || !_sendCreateAlone;

        // Back to back, without awaiting the create, in one write: the client pipelines them on one connection.
        Task<CreateResult> create;
        Task<ChildrenResult>? listing = null;
        using (client.BatchWrites())
        {
            create = client.CreateAsync(basePath, data, CreateMode.EphemeralSequential, _connection.Options.DefaultAcl, 0, cancellationToken);
            if (sendListing)
            {
                listing = client.GetChildrenAsync(ParentPath, null, cancellationToken);
            }
        }

        // The listing's reply comes right after the create's: waiting for it first resumes this method once, with both
        // complete (waiting for the create would resume it before the listing's reply is read, and then once more).
        await (listing ?? (Task)create).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        CreateResult created;
        try
        {
            created = await create.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ObserveQuietly(listing);
            var node = e switch
            {
                // The parent is missing: the slow path creates it (as containers) and then our node.
                NoNodeException => await ZooKeeperConnectionSequentialNodeExtensions.CreateProtectedSequentialCoreAsync(
                    _connection, ParentPath, prefix, data, session, protectionId, cancellationToken).ConfigureAwait(false),

                // The reply was lost: the create may have been applied; the slow path looks for it before creating again.
                _ when RetryPolicy.IsRetryable(e) && !cancellationToken.IsCancellationRequested && !session.IsOwnershipLost =>
                    await ZooKeeperConnectionSequentialNodeExtensions.CreateProtectedSequentialCoreAsync(
                        _connection, ParentPath, prefix, data, session, protectionId, cancellationToken, mayHaveCreated: true).ConfigureAwait(false),
                _ => null,
            };

            if (node is null)
            {
                // Cancelled, or the session went: a create may have reached the server, so make sure it does not stay
                // (at once while connected, so a cancelled join returns with nothing left behind).
                await ProtectedNodeCleanup.CleanUpAsync(_connection, session, ParentPath, nodePrefix, _logger).ConfigureAwait(false);
                if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested && session.IsOwnershipLost)
                {
                    throw new OwnershipLostException($"Ownership under {session} was lost while joining '{ParentPath}'.");
                }

                throw;
            }

            return new QueueEntry(Watch(node), null);
        }

        var ours = new SequentialNode(created.Path, PathUtils.GetNodeName(created.Path), created.Stat.Czxid, session);
        if (created.Stat.EphemeralOwner != session.SessionId)
        {
            // Cannot happen with a sane server; never trust such a node.
            _connection.DeleteGuaranteed(ours.Path, session);
            throw new InvalidOperationException($"The server created '{ours.Path}' for session 0x{created.Stat.EphemeralOwner:x}, not {session}.");
        }

        Task<IReadOnlyList<string>?>? first;
        if (released is not null && created.Stat.Czxid == released.Node.Czxid + 2)
        {
            // Exactly one transaction, in the whole ensemble, between our previous node's create and this one: our
            // acknowledged delete of that node. So the participants are the ones listed when it was granted, without it,
            // plus ours (the newest): no listing needed.
            var participants = new List<string>(released.Sorted.Count);
            foreach (var name in released.Sorted)
            {
                if (name != released.Node.Name)
                {
                    participants.Add(name);
                }
            }

            participants.Add(ours.Name);
            first = Task.FromResult<IReadOnlyList<string>?>(ProtectedNodeName.Sort(participants, Markers));
            ObserveQuietly(listing);
            _sendCreateAlone = true;
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LogTrace("'{Path}' follows our released '{Previous}' with nothing in between: its participants are known.", ours.Path, released.Node.Name);
            }
        }
        else
        {
            if (released is not null)
            {
                // Something else happened in between: list (again) and pipeline the listing next time.
                _sendCreateAlone = false;
            }

            first = listing is null ? null : SortListingAsync(listing);
        }

        return new QueueEntry(Watch(ours), first, exact: first is not null);
    }

    /// <summary>
    /// Tells the queue that our delete of <paramref name="node"/> (a node it granted, now released) was acknowledged
    /// by the server. The next <see cref="JoinAsync"/> on this queue may then need no listing.
    /// </summary>
    /// <param name="node">The released node.</param>
    /// <remarks>
    /// <para>
    /// When a node was granted from the listing that came with its create (an uncontended turn), and the create of
    /// our next node gets the zxid of that node's create plus 2, the only transaction the ensemble applied in between
    /// is our acknowledged delete (zxids number every transaction, failed ones and session changes included). The
    /// participants are then exactly those of that listing without the released node, plus ours: the join uses that
    /// as its listing. Any other transaction anywhere in between (another participant, another client's write, a new
    /// session, a parent removed and created again) breaks the equation, and the join lists as usual.
    /// </para>
    /// <para>
    /// After a join that could use it, the next one sends its create alone (an uncontended cycle is then a create and
    /// a delete); after one that could not, the listing is pipelined with the create again, so a busy ensemble costs
    /// at most one extra round trip each time it turns busy. Call it only after the delete's reply, and only for a
    /// node of this queue.
    /// </para>
    /// </remarks>
    public void NoteReleased(SequentialNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (Volatile.Read(ref _grantedAtOnce) is { } granted && granted.Node == node)
        {
            Volatile.Write(ref _released, granted);
        }
    }

    private static void ObserveQuietly(Task? task) =>
        task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>The watch on a node we just created (its ownership proven by the create's reply): sent now, or deferred.</summary>
    private OwnedNodeWatch Watch(SequentialNode ours) => DeferOwnNodeWatch
        ? OwnedNodeWatch.Defer(_connection, ours, _watchLogger)
        : OwnedNodeWatch.Start(_connection, ours, ownershipProven: true, _watchLogger);

    /// <summary>The sorted participants from the listing sent with the create; null when it failed (then list again).</summary>
    /// <remarks>
    /// The listing's reply usually arrives with the create's, so it is complete by now: sorting it at once saves the
    /// thread-pool hop an awaiting continuation would cost on every join.
    /// </remarks>
    private Task<IReadOnlyList<string>?> SortListingAsync(Task<ChildrenResult> listing) =>
        listing.IsCompletedSuccessfully
            ? Task.FromResult<IReadOnlyList<string>?>(ProtectedNodeName.Sort(listing.Result.Children, Markers))
            : SortListingLaterAsync(listing);

    private async Task<IReadOnlyList<string>?> SortListingLaterAsync(Task<ChildrenResult> listing)
    {
        try
        {
            return ProtectedNodeName.Sort((await listing.ConfigureAwait(false)).Children, Markers);
        }
        catch (Exception e) when (e is ZooKeeperException or OperationCanceledException)
        {
            _logger.LogTrace(e, "The listing sent with the create under '{Parent}' failed; listing again.", ParentPath);
            return null;
        }
    }

    /// <summary>A node granted at once and the sorted participants of the listing that came with its create.</summary>
    private sealed record ExactListing(SequentialNode Node, IReadOnlyList<string> Sorted);
}
