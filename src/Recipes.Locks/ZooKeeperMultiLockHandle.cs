namespace Recipes.Locks;

/// <summary>Proof of holding every lock of a <see cref="ZooKeeperMultiLock"/>. Dispose it to release them all, in reverse order.</summary>
public sealed class ZooKeeperMultiLockHandle : IAsyncDisposable
{
    private readonly ZooKeeperLockHandle[] _handles;
    private readonly CancellationTokenSource _anyLost;
    private int _released;

    internal ZooKeeperMultiLockHandle(IReadOnlyList<ZooKeeperLockHandle> handles)
    {
        _handles = [.. handles];
        _anyLost = CancellationTokenSource.CreateLinkedTokenSource([.. _handles.Select(h => h.LostToken)]);
        LostToken = _anyLost.Token;
    }

    /// <summary>The handle of each lock, in acquisition order; each has its own <see cref="ZooKeeperLockHandle.FencingToken"/> for the resource it protects.</summary>
    public IReadOnlyList<ZooKeeperLockHandle> Handles => _handles;

    /// <summary>Fires when ownership of any of the locks can no longer be trusted.</summary>
    public CancellationToken LostToken { get; }

    /// <summary>Releases every lock in reverse acquisition order. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        await ReleaseAllAsync(_handles).ConfigureAwait(false);
        _anyLost.Dispose();
    }

    /// <summary>Releases handles in reverse order; every one is released even if another fails.</summary>
    internal static async Task ReleaseAllAsync(IReadOnlyList<ZooKeeperLockHandle> handles)
    {
        List<Exception>? errors = null;
        for (var i = handles.Count - 1; i >= 0; i--)
        {
            try
            {
                await handles[i].DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("Releasing the locks of a multi-lock failed.", errors);
        }
    }
}
