using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Locks.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Locks;

/// <summary>
/// A distributed counting semaphore with a fixed number of leases, node-compatible with Curator's
/// <c>InterProcessSemaphoreV2</c>: acquirers queue on the mutex <c>&lt;path&gt;/locks</c>; its holder creates
/// <c>&lt;path&gt;/leases/_c_&lt;uuid&gt;-lease-&lt;seq&gt;</c> and owns a lease once <c>leases</c> has at most
/// <see cref="MaxLeases"/> children, then releases the mutex.
/// </summary>
/// <remarks>
/// Only the mutex holder watches the lease list, so a released lease wakes one waiter. All processes sharing a path
/// must agree on <see cref="MaxLeases"/>. A lease is not thread-bound; each acquisition takes one lease.
/// </remarks>
public sealed class ZooKeeperSemaphore : IZooKeeperLock
{
    private readonly IZooKeeperConnection _connection;
    private readonly QueueLock _gate;
    private readonly byte[]? _nodeData;
    private readonly ILogger _logger;

    /// <summary>Creates a semaphore on <paramref name="path"/>.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="path">The semaphore's path (parents are created as containers).</param>
    /// <param name="maxLeases">How many leases may be held at once (at least 1).</param>
    /// <param name="nodeData">The data of our lease node; null for the local IP address, as Curator writes.</param>
    public ZooKeeperSemaphore(IZooKeeperConnection connection, string path, int maxLeases, byte[]? nodeData = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLeases, 1);
        _connection = connection;
        _nodeData = nodeData;
        _logger = connection.LoggerFactory.CreateLogger<ZooKeeperSemaphore>();
        Path = path;
        MaxLeases = maxLeases;
        LeasesPath = PathUtils.Combine(path, LockNames.SemaphoreLeases);
        _gate = new QueueLock(
            connection, PathUtils.Combine(path, LockNames.SemaphoreLocks), LockNames.Lock, [LockNames.Lock],
            SequentialNodeQueue.WithinFirst(1), nodeData, _logger);
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>How many leases may be held at once.</summary>
    public int MaxLeases { get; }

    /// <summary>Where the lease nodes live, <c>&lt;path&gt;/leases</c>.</summary>
    public string LeasesPath { get; }

    /// <inheritdoc />
    public async Task<ZooKeeperLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await AcquireCoreAsync(timeout, cancellationToken).ConfigureAwait(false)
        ?? throw new TimeoutException($"No lease of the semaphore '{Path}' was acquired within {timeout}.");

    /// <inheritdoc />
    public Task<ZooKeeperLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AcquireCoreAsync(timeout, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeperSemaphore({Path}, {MaxLeases} leases)";

    private async Task<ZooKeeperLockHandle?> AcquireCoreAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(_connection.TimeProvider, timeout);
        var data = await LockNodeData.ResolveAsync(_nodeData).ConfigureAwait(false);
        while (true)
        {
            var gate = await _gate.AcquireCoreAsync(deadline.Remaining, cancellationToken).ConfigureAwait(false);
            if (gate is null)
            {
                return null;
            }

            await using (gate.ConfigureAwait(false))
            {
                var (outcome, handle) = await TakeLeaseAsync(gate.Node.Session, data, deadline, cancellationToken).ConfigureAwait(false);
                if (handle is not null)
                {
                    return handle;
                }

                if (outcome == QueueOutcome.TimedOut || deadline.IsExpired)
                {
                    return null;
                }

                _logger.LogInformation("Our lease node under '{Path}' was lost while waiting ({Outcome}); trying again.", LeasesPath, outcome);
            }
        }
    }

    /// <summary>While holding the gate: creates our lease on the gate's session and waits until it is within the limit.</summary>
    private async Task<(QueueOutcome Outcome, ZooKeeperLockHandle? Handle)> TakeLeaseAsync(
        ZooKeeperSession session, byte[] data, Deadline deadline, CancellationToken cancellationToken)
    {
        SequentialNode lease;
        try
        {
            // Bounded by the retry policy, not the timeout: the gate is ours, so the lease is taken even with a zero timeout.
            lease = await _connection.CreateProtectedSequentialAsync(LeasesPath, LockNames.Lease, data, session, cancellationToken).ConfigureAwait(false);
        }
        catch (OwnershipLostException) when (!cancellationToken.IsCancellationRequested)
        {
            return (QueueOutcome.OwnershipLost, null);
        }

        // The create's reply proved the lease is ours; the watch tells if someone else deletes it.
        var watch = OwnedNodeWatch.Start(_connection, lease, ownershipProven: true);
        try
        {
            var outcome = await WaitForRoomAsync(watch, deadline, cancellationToken).ConfigureAwait(false);
            if (outcome == QueueOutcome.Granted)
            {
                return (outcome, ZooKeeperLockHandle.Create(_connection, Path, watch, _logger));
            }

            await ZooKeeperLockHandle.DeleteNodeAsync(_connection, lease, _logger).ConfigureAwait(false);
            return (outcome, null);
        }
        catch
        {
            await ZooKeeperLockHandle.DeleteNodeAsync(_connection, lease, _logger).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Watches the lease list (Core re-arms the watch) until it has room for our lease, our lease is gone, or time runs out.</summary>
    private async Task<QueueOutcome> WaitForRoomAsync(OwnedNodeWatch watch, Deadline deadline, CancellationToken cancellationToken)
    {
        var lease = watch.Node;
        var watcher = new ChildrenWatcher(_connection, LeasesPath);
        await using (watcher.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Session.OwnershipLostToken, watch.LostToken);
            IReadOnlyList<string>? names;
            try
            {
                await watcher.StartAsync(stop.Token).ConfigureAwait(false);
                var settled = watcher.WaitForChangeAsync(n => n is null || !n.Contains(lease.Name) || n.Count <= MaxLeases, stop.Token);
                names = deadline.Remaining is { } left
                    ? await settled.WaitAsync(left, _connection.TimeProvider, stop.Token).ConfigureAwait(false)
                    : await settled.ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return QueueOutcome.TimedOut;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && (lease.Session.IsOwnershipLost || watch.IsLost))
            {
                return lease.Session.IsOwnershipLost ? QueueOutcome.OwnershipLost : QueueOutcome.NodeLost;
            }

            // Granted only while the listing shows our lease, the watch has not seen it deleted and the session is trusted.
            if (names is null || !names.Contains(lease.Name) || watch.IsLost || lease.Session.IsOwnershipLost)
            {
                return lease.Session.IsOwnershipLost ? QueueOutcome.OwnershipLost : QueueOutcome.NodeLost;
            }

            return QueueOutcome.Granted;
        }
    }
}
