using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The path plumbing behind <see cref="ZooKeeperConnectionPathExtensions"/>, on one client (one session) so recipes
/// can run it on the session they captured.
/// </summary>
internal static class NodeOperations
{
    /// <summary>How often a create is retried after its parent vanished again (a container reaped in between).</summary>
    private const int MaxParentAttempts = 5;

    private static readonly byte[] NoData = [];

    /// <summary>
    /// Creates every missing node of <paramref name="path"/> as an empty container. Like Curator's <c>mkdirs</c>, it
    /// walks up with <c>exists</c> to the deepest existing ancestor first, so no read access is needed above it.
    /// </summary>
    public static async Task EnsurePathAsync(IZooKeeperClient client, string path, IReadOnlyList<Acl> acl, CancellationToken cancellationToken)
    {
        PathUtils.Validate(path);
        for (var attempt = 1; ; attempt++)
        {
            var missing = new Stack<string>();
            for (var current = path; current is not null && current != "/"; current = PathUtils.GetParent(current))
            {
                if (await client.ExistsAsync(current, null, cancellationToken) is not null)
                {
                    break;
                }

                missing.Push(current);
            }

            try
            {
                while (missing.TryPop(out var node))
                {
                    try
                    {
                        await client.CreateAsync(node, NoData, CreateMode.Container, acl, 0, cancellationToken);
                    }
                    catch (NodeExistsException)
                    {
                        // Another process (or an earlier attempt of ours) created it: just what we wanted.
                    }
                }

                return;
            }
            catch (NoNodeException) when (attempt < MaxParentAttempts)
            {
                // An ancestor container was reaped between our exists and our create: walk again.
            }
        }
    }

    /// <summary>Creates a node; when its parent is missing, creates the parents as containers and tries again.</summary>
    public static async Task<CreateResult> CreateWithParentsAsync(
        IZooKeeperClient client, string path, byte[]? data, CreateMode mode, IReadOnlyList<Acl> acl, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.CreateAsync(path, data, mode, acl, 0, cancellationToken);
            }
            catch (NoNodeException) when (attempt < MaxParentAttempts && ParentOf(path) is { } parent && parent != "/")
            {
                await EnsurePathAsync(client, parent, acl, cancellationToken);
            }
        }
    }

    /// <summary>The parent of a create path; a sequential base path may end with '/', whose parent is the path without it.</summary>
    public static string? ParentOf(string path) =>
        path.Length > 1 && path.EndsWith('/') ? path[..^1] : PathUtils.GetParent(path);
}
