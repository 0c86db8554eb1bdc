namespace Recipes.Core;

/// <summary>
/// Compares a cached (sub)tree with a fresh read of it: the pure core of re-synchronising after a reconnect.
/// </summary>
internal static class TreeDiff
{
    /// <summary>
    /// The changes that turn <paramref name="cached"/> into <paramref name="current"/>, in the order they are to be
    /// applied and reported: first every deletion, deepest first (children before their parent), then every creation
    /// and data change, shallowest first (parents before their children); ties in path order.
    /// </summary>
    /// <remarks>
    /// Nodes are matched by path, then compared by version: a different czxid is another incarnation (the node was
    /// deleted and re-created while nobody looked), reported as Deleted followed by Created even when the data is equal;
    /// the same czxid with a newer mzxid is Changed. A fresh node that is older than the cached one (lower czxid, or the
    /// same czxid and a lower mzxid) comes from a stale read and is ignored: a read never takes the cache back in time.
    /// </remarks>
    /// <param name="cached">The cached nodes by path.</param>
    /// <param name="current">The nodes as read now, by path.</param>
    public static List<TreeChange> Compute(IReadOnlyDictionary<string, NodeSnapshot> cached, IReadOnlyDictionary<string, NodeSnapshot> current)
    {
        var removals = new List<TreeChange>();
        var additions = new List<TreeChange>();
        foreach (var (path, old) in cached)
        {
            if (!current.TryGetValue(path, out var now) || now.Stat.Czxid > old.Stat.Czxid)
            {
                removals.Add(TreeChange.Deleted(old));
            }
        }

        foreach (var (path, now) in current)
        {
            if (!cached.TryGetValue(path, out var old) || now.Stat.Czxid > old.Stat.Czxid)
            {
                additions.Add(TreeChange.Created(now));
            }
            else if (now.Stat.Czxid == old.Stat.Czxid && now.Stat.Mzxid > old.Stat.Mzxid)
            {
                additions.Add(TreeChange.Changed(old, now));
            }
        }

        removals.Sort(DeepestFirst);
        additions.Sort(ShallowestFirst);
        removals.AddRange(additions);
        return removals;
    }

    private static int DeepestFirst(TreeChange x, TreeChange y)
    {
        var byDepth = TreePaths.AbsoluteDepth(y.Path).CompareTo(TreePaths.AbsoluteDepth(x.Path));
        return byDepth != 0 ? byDepth : string.CompareOrdinal(x.Path, y.Path);
    }

    private static int ShallowestFirst(TreeChange x, TreeChange y)
    {
        var byDepth = TreePaths.AbsoluteDepth(x.Path).CompareTo(TreePaths.AbsoluteDepth(y.Path));
        return byDepth != 0 ? byDepth : string.CompareOrdinal(x.Path, y.Path);
    }
}
