using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>Removes a recipe's own watcher from a client on disposal, tolerating every way it may already be gone.</summary>
internal static class WatchRemoval
{
    /// <summary>How long a removal may wait for the server.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Removes <paramref name="watcher"/> (every kind) from <paramref name="path"/> on <paramref name="client"/>. While
    /// disconnected only the client's table is cleared: the server drops a connection's watches with the connection,
    /// and the client re-registers only what its table holds. A watch that already fired (NoWatcher), a dead session
    /// and a timeout are logged at debug level and otherwise ignored.
    /// </summary>
    public static async Task RemoveAsync(IZooKeeperClient client, string path, IWatcher watcher, ILogger logger, TimeProvider time)
    {
        if (client.State.IsTerminal())
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Timeout, time);
        try
        {
            await client.RemoveWatchesAsync(path, watcher, WatcherType.Any, local: !client.State.IsConnected(), timeout.Token).ConfigureAwait(false);
        }
        catch (NoWatcherException)
        {
            // A one-shot watch that fired and was not re-armed: nothing to remove.
        }
        catch (Exception exception) when (exception is ZooKeeperException or ObjectDisposedException or OperationCanceledException)
        {
            logger.LogDebug(exception, "Removing the watch on '{Path}' did not complete; the client's own table no longer holds it.", path);
        }
    }
}
