using Recipes.Locks.Internal;

namespace Recipes.Locks;

/// <summary>
/// Several locks taken all-or-nothing (Curator's <c>InterProcessMultiLock</c>). They are acquired one after another in
/// a fixed order — by path, ordinal, whatever order they were given in — so two multi-locks over overlapping sets
/// cannot deadlock; if any one is not granted in time (or the wait is cancelled or fails), those already held are
/// released in reverse order and nothing is held.
/// </summary>
public sealed class ZooKeeperMultiLock
{
    private readonly IZooKeeperLock[] _locks;

    /// <summary>Creates a multi-lock over <paramref name="locks"/>.</summary>
    /// <param name="locks">The locks (at least one; any <see cref="IZooKeeperLock"/> on the same or different connections).</param>
    public ZooKeeperMultiLock(IEnumerable<IZooKeeperLock> locks)
    {
        ArgumentNullException.ThrowIfNull(locks);
        _locks = [.. locks.OrderBy(l => l?.Path, StringComparer.Ordinal)];
        if (_locks.Length == 0 || _locks.Any(l => l is null))
        {
            throw new ArgumentException("A multi-lock needs at least one lock, and no null ones.", nameof(locks));
        }
    }

    /// <summary>The locks in the order they are acquired.</summary>
    public IReadOnlyList<IZooKeeperLock> Locks => _locks;

    /// <summary>Acquires every lock, or none.</summary>
    /// <param name="timeout">How long the whole acquisition may take; null waits until all are granted.</param>
    /// <param name="cancellationToken">Aborts the wait (nothing stays held).</param>
    /// <returns>The handle over all locks.</returns>
    /// <exception cref="TimeoutException">Not every lock was granted within <paramref name="timeout"/>.</exception>
    public async Task<ZooKeeperMultiLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await AcquireCoreAsync(timeout, cancellationToken).ConfigureAwait(false)
        ?? throw new TimeoutException($"Not every lock of the multi-lock was acquired within {timeout}.");

    /// <summary>Like <see cref="AcquireAsync"/>, but returns null instead of throwing when the timeout passes.</summary>
    /// <param name="timeout">How long the whole acquisition may take.</param>
    /// <param name="cancellationToken">Aborts the wait (nothing stays held).</param>
    /// <returns>The handle over all locks, or null (holding none) if they were not all granted in time.</returns>
    public Task<ZooKeeperMultiLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AcquireCoreAsync(timeout, cancellationToken);

    private async Task<ZooKeeperMultiLockHandle?> AcquireCoreAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.Start(TimeProvider.System, timeout);
        var held = new List<ZooKeeperLockHandle>(_locks.Length);
        try
        {
            foreach (var @lock in _locks)
            {
                var handle = await @lock.TryAcquireAsync(deadline.Remaining ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                if (handle is null)
                {
                    await ZooKeeperMultiLockHandle.ReleaseAllAsync(held).ConfigureAwait(false);
                    return null;
                }

                held.Add(handle);
            }

            return new ZooKeeperMultiLockHandle(held);
        }
        catch
        {
            await ZooKeeperMultiLockHandle.ReleaseAllAsync(held).ConfigureAwait(false);
            throw;
        }
    }
}
