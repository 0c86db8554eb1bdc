using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Curator's "find and delete protected node in background": after a protected create failed in a way that may have
/// left a node (a lost reply, then retries gave up or ownership was lost), list the parent until that succeeds and hand
/// every node with our protection prefix to <see cref="IZooKeeperConnection.DeleteGuaranteed"/>.
/// </summary>
internal static class ProtectedNodeCleanup
{
    private static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan InlineBound = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Removes at once what a cancelled create may have left, so the caller's cancellation returns with nothing left
    /// behind: while the session is connected, one listing and the deletes, sent after the create on the same session
    /// (so the listing shows the node if the create was applied) and bounded in time. Otherwise, or if that fails, the
    /// background search of <see cref="Schedule"/> takes over.
    /// </summary>
    public static async Task CleanUpAsync(IZooKeeperConnection connection, ZooKeeperSession session, string parentPath, string nodePrefix, ILogger logger)
    {
        if (session.Client.State == ZooKeeperState.Connected && !session.IsOwnershipLost)
        {
            using var bound = new CancellationTokenSource(InlineBound, connection.TimeProvider);
            try
            {
                var children = await session.Client.GetChildrenAsync(parentPath, null, bound.Token).ConfigureAwait(false);
                foreach (var path in LeftBehind(children, parentPath, nodePrefix, session, logger))
                {
                    try
                    {
                        await session.Client.DeleteAsync(path, -1, bound.Token).ConfigureAwait(false);
                    }
                    catch (NoNodeException)
                    {
                    }
                }

                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (Exception e) when (SessionRetry.IsSessionGone(e))
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Cleaning up a protected create under '{Path}' at once failed; going on in the background.", parentPath);
            }
        }

        Schedule(connection, session, parentPath, nodePrefix, logger);
    }

    /// <summary>Starts the background search; it ends once done or once the session is gone (its ephemerals go with it).</summary>
    public static void Schedule(IZooKeeperConnection connection, ZooKeeperSession session, string parentPath, string nodePrefix, ILogger logger) =>
        _ = Task.Run(() => RunAsync(connection, session, parentPath, nodePrefix, logger));

    private static async Task RunAsync(IZooKeeperConnection connection, ZooKeeperSession session, string parentPath, string nodePrefix, ILogger logger)
    {
        var delay = MinDelay;
        while (true)
        {
            if (session.Client.State.IsTerminal())
            {
                return;
            }

            try
            {
                var children = await session.Client.GetChildrenAsync(parentPath, null, CancellationToken.None);
                foreach (var path in LeftBehind(children, parentPath, nodePrefix, session, logger))
                {
                    connection.DeleteGuaranteed(path, session);
                }

                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (Exception e) when (SessionRetry.IsSessionGone(e))
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Listing '{Path}' to clean up a protected create failed; trying again in {Delay}.", parentPath, delay);
            }

            await Task.Delay(delay, connection.TimeProvider);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    /// <summary>The paths of the children a protected create with <paramref name="nodePrefix"/> left, each logged as it is about to be deleted.</summary>
    private static IEnumerable<string> LeftBehind(ChildrenResult children, string parentPath, string nodePrefix, ZooKeeperSession session, ILogger logger)
    {
        foreach (var name in children.Children.Where(n => n.StartsWith(nodePrefix, StringComparison.Ordinal)))
        {
            var path = PathUtils.Combine(parentPath, name);
            logger.LogInformation("Deleting '{Path}', left by a protected create that did not complete ({Session}).", path, session);
            yield return path;
        }
    }
}
