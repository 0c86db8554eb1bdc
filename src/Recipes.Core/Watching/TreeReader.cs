using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Reads a subtree breadth first, pipelining the reads of each level in batches over the one connection (the client
/// keeps many requests in flight), without setting any watch.
/// </summary>
internal static class TreeReader
{
    /// <summary>How many nodes of one level are read at once.</summary>
    private const int BatchSize = 256;

    /// <summary>Reads the subtree at <paramref name="top"/> (the node included).</summary>
    /// <param name="client">The client to read with.</param>
    /// <param name="root">The cache's root (depths count from it).</param>
    /// <param name="top">The subtree's top node, at or below <paramref name="root"/>.</param>
    /// <param name="options">Data caching, the depth bound and the node bound.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<TreeReadResult> ReadAsync(IZooKeeperClient client, string root, string top, TreeCacheOptions options, CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<string, NodeSnapshot>(StringComparer.Ordinal);
        var level = new List<string> { top };
        var depth = TreePaths.Depth(root, top);
        while (level.Count > 0)
        {
            var listChildren = options.MaxDepth is not { } maxDepth || depth < maxDepth;
            var next = new List<string>();
            for (var start = 0; start < level.Count; start += BatchSize)
            {
                var count = Math.Min(BatchSize, level.Count - start);
                var reads = new Task<(NodeSnapshot? Node, IReadOnlyList<string> Children)>[count];
                for (var i = 0; i < count; i++)
                {
                    reads[i] = ReadNodeAsync(client, level[start + i], options.CacheData, listChildren, cancellationToken);
                }

                await Task.WhenAll(reads).ConfigureAwait(false);
                foreach (var read in reads)
                {
                    var (node, children) = read.Result;
                    if (node is null)
                    {
                        continue;
                    }

                    if (nodes.Count >= options.MaxNodes)
                    {
                        return new TreeReadResult(nodes, Truncated: true);
                    }

                    nodes.Add(node.Path, node);
                    foreach (var child in children)
                    {
                        next.Add(PathUtils.Combine(node.Path, child));
                    }
                }
            }

            level = next;
            depth++;
        }

        return new TreeReadResult(nodes, Truncated: false);
    }

    /// <summary>Reads one node (null when it does not exist) and, if asked, its child names.</summary>
    private static async Task<(NodeSnapshot? Node, IReadOnlyList<string> Children)> ReadNodeAsync(
        IZooKeeperClient client, string path, bool cacheData, bool listChildren, CancellationToken cancellationToken)
    {
        if (!cacheData)
        {
            // getChildren and exists return the stat without the data.
            if (listChildren)
            {
                try
                {
                    var listed = await client.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false);
                    return (new NodeSnapshot(path, null, listed.Stat), listed.Children);
                }
                catch (NoNodeException)
                {
                    return (null, []);
                }
            }

            var stat = await client.ExistsAsync(path, null, cancellationToken).ConfigureAwait(false);
            return (stat is null ? null : new NodeSnapshot(path, null, stat), []);
        }

        // Both requests go out before either reply is awaited.
        var dataRead = client.GetDataAsync(path, null, cancellationToken);
        var childrenRead = listChildren ? client.GetChildrenAsync(path, null, cancellationToken) : null;
        DataResult data;
        try
        {
            data = await dataRead.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await ObserveAsync(childrenRead).ConfigureAwait(false);
            if (exception is NoNodeException)
            {
                return (null, []);
            }

            throw;
        }

        IReadOnlyList<string> children = [];
        if (childrenRead is not null)
        {
            try
            {
                children = (await childrenRead.ConfigureAwait(false)).Children;
            }
            catch (NoNodeException)
            {
                // Deleted between the two reads; its deletion event follows.
            }
        }

        return (new NodeSnapshot(path, data.Data, data.Stat), children);
    }

    private static async Task ObserveAsync(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Only observed: the data read's outcome decides.
        }
    }
}
