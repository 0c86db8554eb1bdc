using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Locks;

/// <summary>
/// Proof of holding a lock (or a semaphore lease). Dispose it to release: our node is deleted, and if the connection
/// is down the delete is retried in the background until it succeeds or the session ends (which deletes the node too).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="LostToken"/> fires when ownership can no longer be trusted: the session's ownership was given up (the
/// connection stayed suspended past the grace of <see cref="OwnershipLossPolicy"/>, or the session was lost or the
/// connection disposed), or our node was deleted by someone else. When it fires because of the session, our node is
/// deleted at once (if the session is still alive) so others are not blocked by a lock nobody trusts. It does not fire
/// when the handle is released.
/// </para>
/// <para>
/// The session half of that costs nothing. Watching our node for a delete by someone else costs one <c>getData</c>,
/// sent the first time <see cref="LostToken"/> or <see cref="IsLost"/> is read (as DistributedLock's handles start
/// monitoring on first use), or already while the acquire had to wait: an acquire-and-release that never asks costs
/// the create, one listing and the delete. Read <see cref="LostToken"/> as soon as you get the handle if you act on it.
/// </para>
/// <para>
/// No client can learn in time that its session was closed on the server by someone else, or that it was paused
/// (a long GC) past the session timeout. Pass <see cref="FencingToken"/> to every resource the lock protects and let the
/// resource reject tokens lower than the highest it has seen.
/// </para>
/// </remarks>
public sealed class ZooKeeperLockHandle : IAsyncDisposable
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

    private readonly IZooKeeperConnection _connection;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly OwnedNodeWatch _watch;
    private readonly SequentialNodeQueue? _queue;
    private CancellationTokenRegistration _sessionRegistration;
    private CancellationTokenRegistration _nodeRegistration;
    private int _released;
    private int _lostSignalled;

    private ZooKeeperLockHandle(IZooKeeperConnection connection, string lockPath, OwnedNodeWatch watch, SequentialNodeQueue? queue, ILogger logger)
    {
        _connection = connection;
        LockPath = lockPath;
        _watch = watch;
        _queue = queue;
        Node = watch.Node;
        _logger = logger;
    }

    /// <summary>The lock's path (for a semaphore, the semaphore's path).</summary>
    public string LockPath { get; }

    /// <summary>The full path of our node (the lock node, or the lease node of a semaphore).</summary>
    public string NodePath => Node.Path;

    /// <summary>
    /// The zxid that created our node. ZooKeeper zxids only grow, so a later holder of the same lock always has a
    /// higher token: a downstream store that remembers the highest token it accepted can reject a stale holder.
    /// </summary>
    public long FencingToken => Node.Czxid;

    /// <summary>
    /// Fires when ownership can no longer be trusted (session ownership lost, or our node deleted by someone else).
    /// The first read starts watching our node if the acquire did not already (one <c>getData</c>).
    /// </summary>
    public CancellationToken LostToken
    {
        get
        {
            StartWatching();
            return _lost.Token;
        }
    }

    /// <summary>Whether <see cref="LostToken"/> has fired. The first read starts watching our node, as reading <see cref="LostToken"/> does.</summary>
    public bool IsLost
    {
        get
        {
            StartWatching();
            return _lost.IsCancellationRequested;
        }
    }

    /// <summary>Our node and the session that owns it.</summary>
    internal SequentialNode Node { get; }

    /// <summary>Releases the lock: deletes our node (guaranteed, even across connection loss). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        // No removeWatches: our own delete consumes the watch on our node (its notification is ignored, we are releasing).
        _sessionRegistration.Dispose();
        _nodeRegistration.Dispose();
        if (await DeleteNodeAsync(_connection, Node, _logger).ConfigureAwait(false))
        {
            _queue?.NoteReleased(Node);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Released '{Path}' ({Node}).", LockPath, Node.Name);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeperLockHandle({NodePath}, token {FencingToken}{(_lost.IsCancellationRequested ? ", lost" : "")})";

    /// <summary>
    /// Makes the handle for a granted node: follows the watch on the node (a delete by someone else fires
    /// <see cref="LostToken"/>; a deferred watch is started on the first read of the token) and the session's
    /// ownership. No server request.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="lockPath">The lock's path.</param>
    /// <param name="watch">The watch on the granted node.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="queue">The queue that granted the node, told when its release is acknowledged (<see cref="SequentialNodeQueue.NoteReleased"/>).</param>
    internal static ZooKeeperLockHandle Create(IZooKeeperConnection connection, string lockPath, OwnedNodeWatch watch, ILogger logger, SequentialNodeQueue? queue = null)
    {
        var node = watch.Node;
        var handle = new ZooKeeperLockHandle(connection, lockPath, watch, queue, logger);
        handle._nodeRegistration = watch.LostToken.UnsafeRegister(
            static state => ((ZooKeeperLockHandle)state!).SignalLost("our node was deleted", deleteNode: false), handle);
        handle._sessionRegistration = node.Session.OwnershipLostToken.UnsafeRegister(
            static state => ((ZooKeeperLockHandle)state!).SignalLost("the session's ownership was lost", deleteNode: true), handle);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("Acquired '{Path}' ({Node}, fencing token {Token}, {Session}).", lockPath, node.Name, node.Czxid, node.Session);
        }

        return handle;
    }

    /// <summary>
    /// Deletes a node we no longer want: once directly on its session, otherwise in the background until done
    /// (<see cref="IZooKeeperConnection.DeleteGuaranteed"/>). Never throws. True when our delete was acknowledged.
    /// </summary>
    internal static async Task<bool> DeleteNodeAsync(IZooKeeperConnection connection, SequentialNode node, ILogger logger)
    {
        if (!node.Session.IsOwnershipLost)
        {
            // Connected: the delete is answered, or failed with the connection (queued requests fail too), without a
            // timer per release. Otherwise bound the wait so release returns and the background delete takes over.
            using var bound = node.Session.Client.State == ZooKeeperState.Connected ? null : new CancellationTokenSource(ReleaseTimeout, connection.TimeProvider);
            try
            {
                await node.Session.Client.DeleteAsync(node.Path, -1, bound?.Token ?? CancellationToken.None).ConfigureAwait(false);
                return true;
            }
            catch (NoNodeException)
            {
                return false;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Deleting '{Path}' failed; retrying in the background.", node.Path);
            }
        }

        connection.DeleteGuaranteed(node.Path, node.Session);
        return false;
    }

    /// <summary>Sends the deferred watch on our node, unless released (our delete needs no watch).</summary>
    private void StartWatching()
    {
        if (Volatile.Read(ref _released) == 0)
        {
            _watch.EnsureStarted();
        }
    }

    private void SignalLost(string reason, bool deleteNode)
    {
        if (Volatile.Read(ref _released) != 0 || Interlocked.Exchange(ref _lostSignalled, 1) != 0)
        {
            return;
        }

        _logger.LogWarning("Ownership of '{Path}' ({Node}) can no longer be trusted: {Reason}.", LockPath, Node.Name, reason);
        if (deleteNode)
        {
            // Nobody trusts this lock any more: free it for others if the session comes back.
            _connection.DeleteGuaranteed(Node.Path, Node.Session);
        }

        // Callbacks run on the thread pool, never on the connection's dispatcher.
        _ = _lost.CancelAsync().ContinueWith(
            (t, state) => ((ILogger)state!).LogError(t.Exception, "A LostToken callback threw."),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
