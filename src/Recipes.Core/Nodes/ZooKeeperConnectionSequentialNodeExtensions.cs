using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Protected sequential-ephemeral participant nodes (Curator's <c>withProtection()</c>, minus CURATOR-498 and
/// CURATOR-604) and the ownership check recipes run before granting anything.
/// </summary>
public static class ZooKeeperConnectionSequentialNodeExtensions
{
    /// <summary>
    /// Creates <c>&lt;parentPath&gt;/_c_&lt;uuid&gt;-&lt;prefix&gt;&lt;10-digit sequence&gt;</c> as an ephemeral
    /// sequential node on <paramref name="session"/>, with the connection's default ACL; missing parents are created
    /// as containers.
    /// </summary>
    /// <param name="connection">The connection (retry policy, ACL, clock, guaranteed deletes).</param>
    /// <param name="parentPath">The recipe's path, e.g. <c>/locks/orders</c>.</param>
    /// <param name="prefix">The recipe's marker, e.g. <c>lock-</c>, <c>latch-</c>, <c>__READ__</c>.</param>
    /// <param name="data">The node's data.</param>
    /// <param name="session">
    /// The session the caller captured (usually from <see cref="IZooKeeperConnection.WaitForSessionAsync"/>); the node
    /// is created with its client only, so it is never owned by a different session than the caller's.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The created node.</returns>
    /// <remarks>
    /// <para>
    /// When a create fails with a transient error (connection loss), its reply may have been lost after the server
    /// applied it. Before creating again the parent is listed and a child carrying this call's uuid is adopted, but only
    /// if its <c>ephemeralOwner</c> is <paramref name="session"/>. Retries follow the connection's
    /// <see cref="ZooKeeperConnectionOptions.RetryPolicy"/>.
    /// </para>
    /// <para>
    /// If the retries give up, the session's ownership is lost (<see cref="OwnershipLostException"/>), the session
    /// ends, or the call is cancelled after a create may have reached the server, every node with this call's uuid is
    /// deleted in the background (<see cref="IZooKeeperConnection.DeleteGuaranteed"/>) and the error is rethrown.
    /// </para>
    /// </remarks>
    /// <exception cref="OwnershipLostException">The session's ownership was lost before the node was created.</exception>
    public static Task<SequentialNode> CreateProtectedSequentialAsync(
        this IZooKeeperConnection connection,
        string parentPath,
        string prefix,
        byte[]? data,
        ZooKeeperSession session,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(prefix);
        PathUtils.Validate(parentPath);
        return CreateProtectedSequentialCoreAsync(connection, parentPath, prefix, data, session, ProtectedNodeName.NewId(), cancellationToken);
    }

    /// <summary>
    /// Whether the node at <paramref name="path"/> exists, is owned by <paramref name="session"/>
    /// (<c>ephemeralOwner</c> equals its id), and the session's ownership has not been lost. Recipes call this before
    /// granting a lock or leadership, so a node of a dead or distrusted session never grants anything (CURATOR-604).
    /// </summary>
    /// <param name="connection">The connection (retry policy and clock).</param>
    /// <param name="path">The node's path.</param>
    /// <param name="session">The session that should own it; the check runs on its client.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>False when the node is gone, owned by someone else, the session ended or its ownership was lost.</returns>
    /// <exception cref="ConnectionLossException">The server could not be asked within the retry policy.</exception>
    public static async Task<bool> IsOwnedByAsync(this IZooKeeperConnection connection, string path, ZooKeeperSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(session);
        PathUtils.Validate(path);
        if (session.IsOwnershipLost)
        {
            return false;
        }

        Stat? stat;
        try
        {
            stat = await SessionRetry.RunAsync(connection, session, (client, ct) => client.ExistsAsync(path, null, ct), cancellationToken);
        }
        catch (Exception e) when (SessionRetry.IsSessionGone(e))
        {
            return false;
        }

        return stat is not null && stat.EphemeralOwner == session.SessionId && !session.IsOwnershipLost;
    }

    /// <summary>
    /// The create with a given protection id (tests pass their own to plant look-alike nodes); <paramref name="mayHaveCreated"/>
    /// when the caller already sent a create with this id whose outcome is unknown.
    /// </summary>
    internal static async Task<SequentialNode> CreateProtectedSequentialCoreAsync(
        IZooKeeperConnection connection,
        string parentPath,
        string prefix,
        byte[]? data,
        ZooKeeperSession session,
        string protectionId,
        CancellationToken cancellationToken,
        bool mayHaveCreated = false)
    {
        var logger = connection.LoggerFactory.CreateLogger(typeof(ZooKeeperConnectionSequentialNodeExtensions).FullName!);
        var nodePrefix = ProtectedNodeName.NodePrefix(protectionId);
        var basePath = PathUtils.Combine(parentPath, nodePrefix + prefix);
        PathUtils.Validate(basePath, sequential: true);
        var acl = connection.Options.DefaultAcl;
        var policy = connection.Options.RetryPolicy;
        var time = connection.TimeProvider;
        var start = time.GetTimestamp();

        // Set once a create may have reached the server (a caller's earlier attempt included): from then on a failure
        // must not leave its node behind, and a retry first looks for it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.OwnershipLostToken);
        try
        {
            for (var retry = 0; ; retry++)
            {
                session.ThrowIfOwnershipLost();
                try
                {
                    if (mayHaveCreated && await FindOwnNodeAsync(session, parentPath, nodePrefix, logger, stop.Token) is { } found)
                    {
                        logger.LogDebug("Adopted '{Path}', created before the connection was lost ({Session}).", found.Path, session);
                        return found;
                    }

                    mayHaveCreated = true;
                    var result = await NodeOperations.CreateWithParentsAsync(session.Client, basePath, data, CreateMode.EphemeralSequential, acl, stop.Token);
                    return new SequentialNode(result.Path, PathUtils.GetNodeName(result.Path), result.Stat.Czxid, session);
                }
                catch (Exception e) when (RetryPolicy.IsRetryable(e) && !stop.IsCancellationRequested)
                {
                    if (!policy.ShouldRetry(retry, time.GetElapsedTime(start), out var delay))
                    {
                        throw;
                    }

                    logger.LogDebug(e, "Creating a protected node under '{Parent}' failed (retry {Retry}); looking for it before trying again in {Delay}.", parentPath, retry + 1, delay);
                    await Task.Delay(delay, time, stop.Token);
                }
            }
        }
        catch (Exception e) when (mayHaveCreated)
        {
            ProtectedNodeCleanup.Schedule(connection, session, parentPath, nodePrefix, logger);
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested && session.IsOwnershipLost)
            {
                throw new OwnershipLostException($"Ownership under {session} was lost while creating a node under '{parentPath}'.");
            }

            throw;
        }
    }

    /// <summary>The child of <paramref name="parentPath"/> with our protection prefix that <paramref name="session"/> owns, if any.</summary>
    private static async Task<SequentialNode?> FindOwnNodeAsync(
        ZooKeeperSession session, string parentPath, string nodePrefix, ILogger logger, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> children;
        try
        {
            children = (await session.Client.GetChildrenAsync(parentPath, null, cancellationToken)).Children;
        }
        catch (NoNodeException)
        {
            return null;
        }

        foreach (var name in children.Where(n => n.StartsWith(nodePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var path = PathUtils.Combine(parentPath, name);
            var stat = await session.Client.ExistsAsync(path, null, cancellationToken);
            if (stat is null)
            {
                continue;
            }

            if (stat.EphemeralOwner != session.SessionId)
            {
                // CURATOR-498: never adopt a node another session owns, even with our uuid.
                logger.LogWarning(
                    "Not adopting '{Path}': it carries our protection id but is owned by session 0x{Owner:x}, not {Session}.",
                    path, stat.EphemeralOwner, session);
                continue;
            }

            return new SequentialNode(path, name, stat.Czxid, session);
        }

        return null;
    }
}
