using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// A data watch on a sequential node our own session created (a lock waiter, a latch candidate, a lease) that tells
/// when the node is deleted or is no longer the one we created. Recipes use it instead of asking the server again
/// before granting, and to fire a lock's or a term's lost token when someone else deletes the node.
/// </summary>
/// <remarks>
/// <para>
/// One <c>getData</c> with a one-shot watch, sent by <see cref="Start(IZooKeeperConnection, SequentialNode, bool)"/> at
/// once, or by <see cref="EnsureStarted"/> for a watch made with <see cref="Defer(IZooKeeperConnection, SequentialNode)"/> (a holder that may never need it:
/// an uncontended lock released before anyone asked whether it was lost costs no request for it). A data change re-arms it with another <c>getData</c>; a
/// delete ends it (<see cref="IsLost"/>). Within the session the client re-registers the watch after a reconnection
/// and the server reports a delete that happened meanwhile, so no re-read is needed; when the session's ownership is
/// lost the watch stops mattering (recipes follow <see cref="ZooKeeperSession.OwnershipLostToken"/> for that).
/// </para>
/// <para>
/// The owner deleting the node consumes the watch: nothing is left on the server, and no <c>removeWatches</c> is
/// needed. The owner must therefore ignore <see cref="LostToken"/> once it has started to delete the node itself.
/// </para>
/// </remarks>
public sealed class OwnedNodeWatch
{
    private readonly IZooKeeperConnection _connection;
    private readonly CancellationTokenSource _lost = new();
    private readonly IWatcher _watcher;
    private readonly ILogger _logger;
    private int _lostSignalled;
    private int _started;

    private OwnedNodeWatch(IZooKeeperConnection connection, SequentialNode node, ILogger? logger)
    {
        _connection = connection;
        Node = node;
        LostToken = _lost.Token;
        _logger = logger ?? connection.LoggerFactory.CreateLogger<OwnedNodeWatch>();
        _watcher = Watcher.Create(OnEvent);
        Confirmed = Task.FromResult(true);
    }

    /// <summary>The watched node and the session that owns it.</summary>
    public SequentialNode Node { get; }

    /// <summary>
    /// Fires (on the client's event dispatcher, in order with other watch events of the session) when the node was
    /// deleted or is no longer ours (another czxid or <c>ephemeralOwner</c>).
    /// </summary>
    public CancellationToken LostToken { get; }

    /// <summary>Whether <see cref="LostToken"/> has fired.</summary>
    public bool IsLost => Volatile.Read(ref _lostSignalled) != 0;

    /// <summary>
    /// Completes with true once the first read found the node and it is ours (owned by <see cref="SequentialNode.Session"/>,
    /// with the node's czxid), false when it is not (then <see cref="LostToken"/> has fired) or the session's ownership
    /// was lost before the watch could be set. Already true when the caller proved ownership itself (the create's reply).
    /// </summary>
    public Task<bool> Confirmed { get; private set; }

    /// <summary>
    /// Watches <paramref name="node"/>. The <c>getData</c> is sent before this returns, so on one session it is served
    /// before any request the caller sends afterwards (for example the node's own delete).
    /// </summary>
    /// <param name="connection">The connection (logging, clock, retry policy).</param>
    /// <param name="node">A node created by <see cref="SequentialNode.Session"/>; the watch is set on that session's client.</param>
    /// <param name="ownershipProven">
    /// True when the caller already knows the node is ours (it has the create's reply with our session as
    /// <c>ephemeralOwner</c>); false to confirm it with the first read (<see cref="Confirmed"/>).
    /// </param>
    public static OwnedNodeWatch Start(IZooKeeperConnection connection, SequentialNode node, bool ownershipProven) =>
        Start(connection, node, ownershipProven, null);

    /// <summary><see cref="Start(IZooKeeperConnection, SequentialNode, bool)"/> with a logger the caller already has (no lookup per node).</summary>
    internal static OwnedNodeWatch Start(IZooKeeperConnection connection, SequentialNode node, bool ownershipProven, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(node);
        var watch = new OwnedNodeWatch(connection, node, logger) { _started = 1 };
        var first = watch.ArmAsync();
        if (!ownershipProven)
        {
            watch.Confirmed = first;
        }

        return watch;
    }

    /// <summary>
    /// A watch on a node whose ownership the caller has proven (the create's reply names our session as
    /// <c>ephemeralOwner</c>), that sends nothing until <see cref="EnsureStarted"/>. Until then <see cref="LostToken"/>
    /// fires only if <see cref="EnsureStarted"/> is called and finds the node gone or replaced.
    /// </summary>
    /// <param name="connection">The connection (logging, clock, retry policy).</param>
    /// <param name="node">A node created by <see cref="SequentialNode.Session"/>, proven ours.</param>
    public static OwnedNodeWatch Defer(IZooKeeperConnection connection, SequentialNode node) => Defer(connection, node, null);

    /// <summary><see cref="Defer(IZooKeeperConnection, SequentialNode)"/> with a logger the caller already has.</summary>
    internal static OwnedNodeWatch Defer(IZooKeeperConnection connection, SequentialNode node, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(node);
        return new OwnedNodeWatch(connection, node, logger);
    }

    /// <summary>Whether the watch's first <c>getData</c> has been sent (always, unless made with <see cref="Defer(IZooKeeperConnection, SequentialNode)"/> and not started yet).</summary>
    public bool IsStarted => Volatile.Read(ref _started) != 0;

    /// <summary>
    /// Sends the watch's first <c>getData</c> if it has not been sent yet (once; later calls do nothing). It is sent
    /// before this returns, so on one session it is served before any request the caller sends afterwards. A node
    /// that is already gone (or no longer ours) fires <see cref="LostToken"/> when the reply arrives.
    /// </summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = ArmAsync();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"OwnedNodeWatch({Node.Path}{(IsLost ? ", lost" : IsStarted ? "" : ", not started")})";

    private void OnEvent(WatchedEvent e)
    {
        switch (e.Type)
        {
            case EventType.NodeDeleted:
                SignalLost("deleted");
                break;
            case EventType.NodeDataChanged or EventType.NodeCreated:
                // Someone wrote our node (or it came back): read it again, which re-arms the one-shot watch.
                _ = ArmAsync();
                break;
        }
    }

    /// <summary>Reads the node with the watch; true while it is ours. Retries transient failures while the session's ownership holds.</summary>
    private async Task<bool> ArmAsync()
    {
        var session = Node.Session;
        var delay = TimeSpan.FromMilliseconds(50);
        while (!IsLost)
        {
            if (session.IsOwnershipLost)
            {
                return false;
            }

            Task<DataResult> read;
            try
            {
                read = session.Client.GetDataAsync(Node.Path, _watcher, CancellationToken.None);
            }
            catch (Exception e) when (SessionRetry.IsSessionGone(e))
            {
                return false;
            }

            try
            {
                var stat = (await read.ConfigureAwait(false)).Stat;
                if (stat.Czxid == Node.Czxid && stat.EphemeralOwner == session.SessionId)
                {
                    return true;
                }

                SignalLost($"now czxid 0x{stat.Czxid:x}, owner 0x{stat.EphemeralOwner:x}");
                return false;
            }
            catch (NoNodeException)
            {
                SignalLost("gone");
                return false;
            }
            catch (Exception e) when (SessionRetry.IsSessionGone(e))
            {
                return false;
            }
            catch (Exception e) when (RetryPolicy.IsRetryable(e))
            {
                // The watch may not be set: read again once the connection is back (bounded by the session's ownership).
                _logger.LogDebug(e, "Watching our node '{Path}' failed; trying again in {Delay}.", Node.Path, delay);
                try
                {
                    await Task.Delay(delay, _connection.TimeProvider, session.OwnershipLostToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }

        return false;
    }

    private void SignalLost(string reason)
    {
        if (Interlocked.Exchange(ref _lostSignalled, 1) != 0)
        {
            return;
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Our node '{Path}' is no longer ours: {Reason}.", Node.Path, reason);
        }

        try
        {
            _lost.Cancel();
        }
        catch (AggregateException e)
        {
            _logger.LogError(e, "A callback on the lost token of '{Path}' threw.", Node.Path);
        }
    }
}
