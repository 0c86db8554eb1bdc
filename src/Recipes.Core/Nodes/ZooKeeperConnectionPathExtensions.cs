using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>Creating paths the way recipes need them: missing parents become containers the server reaps once empty.</summary>
public static class ZooKeeperConnectionPathExtensions
{
    /// <summary>
    /// Creates every missing node of <paramref name="path"/> as a <see cref="CreateMode.Container"/> with empty data
    /// and the connection's <see cref="ZooKeeperConnectionOptions.DefaultAcl"/>. Nodes that exist (or that another
    /// process creates meanwhile) are left as they are. Runs through <see cref="IZooKeeperConnection.ExecuteAsync{T}"/>,
    /// so it waits for the connection and retries transient failures.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The path to ensure, e.g. <c>/locks/orders</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <remarks>
    /// The server deletes a container once it has had children and has none left, so an ensured path can vanish
    /// again; creates that need it should use <see cref="CreateWithParentsAsync"/>, which recreates it on demand.
    /// </remarks>
    public static Task EnsurePathAsync(this IZooKeeperConnection connection, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        var acl = connection.Options.DefaultAcl;
        return connection.ExecuteAsync(
            async (client, ct) =>
            {
                await NodeOperations.EnsurePathAsync(client, path, acl, ct);
                return true;
            },
            cancellationToken);
    }

    /// <summary>
    /// Creates a node with the connection's <see cref="ZooKeeperConnectionOptions.DefaultAcl"/>. If the create fails
    /// because the parent is missing, the missing parents are created as containers (empty data) and the create is
    /// tried again. Runs through <see cref="IZooKeeperConnection.ExecuteAsync{T}"/>.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The node's path; for sequential modes the base path the server appends the sequence to.</param>
    /// <param name="data">The node's data.</param>
    /// <param name="mode">How to create it (not the TTL modes, which need a TTL).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The actual path (with the sequence suffix for sequential modes) and the new node's stat.</returns>
    /// <remarks>
    /// A create retried after a connection loss may already have been applied: a non-sequential create then fails with
    /// <see cref="NodeExistsException"/>, and a sequential one may leave a second node. Sequential ephemeral nodes that
    /// must exist once should be created with
    /// <see cref="ZooKeeperConnectionSequentialNodeExtensions.CreateProtectedSequentialAsync"/>.
    /// </remarks>
    public static Task<CreateResult> CreateWithParentsAsync(
        this IZooKeeperConnection connection, string path, byte[]? data, CreateMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path, mode.IsSequential());
        if (mode.IsTtl())
        {
            throw new ArgumentException($"CreateWithParentsAsync does not create TTL nodes ({mode}); they need a TTL.", nameof(mode));
        }

        var acl = connection.Options.DefaultAcl;
        return connection.ExecuteAsync(
            (client, ct) => NodeOperations.CreateWithParentsAsync(client, path, data, mode, acl, ct),
            cancellationToken);
    }
}
