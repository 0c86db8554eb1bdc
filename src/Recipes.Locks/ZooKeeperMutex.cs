using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Locks.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Locks;

/// <summary>
/// A distributed mutex, node-compatible with Curator's <c>InterProcessMutex</c>: each acquirer creates
/// <c>&lt;path&gt;/_c_&lt;uuid&gt;-lock-&lt;seq&gt;</c> (ephemeral sequential), the lowest sequence holds the lock, and
/// every waiter watches only its predecessor.
/// </summary>
/// <remarks>
/// Not reentrant and not thread-bound: each acquisition creates a new node, and its handle may be released from any
/// task or thread. Before granting, the node is confirmed to be owned by the current, trusted session.
/// </remarks>
public sealed class ZooKeeperMutex : IZooKeeperLock
{
    private readonly QueueLock _lock;

    /// <summary>Creates a mutex on <paramref name="path"/>.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="path">The lock's path, e.g. <c>/locks/orders</c> (parents are created as containers).</param>
    /// <param name="nodeData">The data of our lock node; null for the local IP address, as Curator writes.</param>
    public ZooKeeperMutex(IZooKeeperConnection connection, string path, byte[]? nodeData = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        _lock = new QueueLock(
            connection, path, LockNames.Lock, [LockNames.Lock], SequentialNodeQueue.WithinFirst(1), nodeData,
            connection.LoggerFactory.CreateLogger<ZooKeeperMutex>());
    }

    /// <inheritdoc />
    public string Path => _lock.Path;

    /// <inheritdoc />
    public Task<ZooKeeperLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _lock.AcquireAsync(timeout, cancellationToken);

    /// <inheritdoc />
    public Task<ZooKeeperLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _lock.TryAcquireAsync(timeout, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeperMutex({Path})";
}
