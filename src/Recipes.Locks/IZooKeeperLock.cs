namespace Recipes.Locks;

/// <summary>
/// One lockable thing on a ZooKeeper path: a mutex, the read or write side of a read-write lock, or a semaphore
/// lease. Every call creates a new participant node, so locks are not reentrant and not bound to a thread: the handle
/// may be released from any task or thread.
/// </summary>
public interface IZooKeeperLock
{
    /// <summary>The lock's path (relative to the connection's namespace).</summary>
    string Path { get; }

    /// <summary>
    /// Waits until the lock is granted and returns its handle. Cancellation aborts the wait and removes our node.
    /// </summary>
    /// <param name="timeout">How long to wait at most; null (or <see cref="Timeout.InfiniteTimeSpan"/>) waits until granted.</param>
    /// <param name="cancellationToken">Aborts the wait.</param>
    /// <returns>The handle; dispose it to release the lock.</returns>
    /// <exception cref="TimeoutException">The lock was not granted within <paramref name="timeout"/>.</exception>
    Task<ZooKeeperLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="AcquireAsync"/>, but returns null instead of throwing when the timeout passes.</summary>
    /// <param name="timeout">How long to wait at most; <see cref="TimeSpan.Zero"/> checks once.</param>
    /// <param name="cancellationToken">Aborts the wait.</param>
    /// <returns>The handle, or null if the lock was not granted in time.</returns>
    Task<ZooKeeperLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
