namespace Recipes.Core;

/// <summary>Settings of a <see cref="TreeCache"/>.</summary>
/// <remarks>
/// <para>
/// Memory: each cached node costs roughly <b>300 bytes + 2 × the path length + the data length</b> on a 64-bit
/// runtime: the path string (22 bytes + 2 per character), the data array (24 bytes + its length, when
/// <see cref="CacheData"/>), the <see cref="Recipes.ZooKeeper.Stat"/> (88 bytes), the <see cref="NodeSnapshot"/>
/// (40 bytes), the cache's own entry (32 bytes) and its slots in the path index and in the parent's child set
/// (about 70 bytes with spare capacity). So 100,000 nodes with 40-character paths and 100 bytes of data take about
/// 48 MB. <c>TreeStoreMemoryTests</c> measures the figure (about 490 bytes per node for that shape).
/// </para>
/// <para>
/// Server side the cache costs one persistent recursive watch, whatever the tree's size.
/// </para>
/// </remarks>
public sealed class TreeCacheOptions
{
    /// <summary>The default of <see cref="MaxNodes"/>.</summary>
    public const int DefaultMaxNodes = 100_000;

    /// <summary>
    /// Whether node data is cached. Default true. When false, only stats are kept (reads use <c>exists</c> and
    /// <c>getChildren</c>, which transfer no data) and <see cref="NodeSnapshot.Data"/> is null.
    /// </summary>
    public bool CacheData { get; set; } = true;

    /// <summary>
    /// How deep below the root nodes are cached: 0 caches only the root, 1 the root and its children, and so on.
    /// Default null (no bound). Events about deeper nodes still reach the client (the watch is recursive) and are ignored.
    /// </summary>
    public int? MaxDepth { get; set; }

    /// <summary>
    /// The most nodes the cache holds. Default 100,000 (about 30 MB plus paths and data; see the remarks). When a new node would
    /// exceed it, an error is logged and the node (with its subtree) is not cached; the cache is then incomplete, but
    /// never grows without bound. Nodes already cached keep being updated.
    /// </summary>
    public int MaxNodes { get; set; } = DefaultMaxNodes;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (MaxDepth is < 0)
        {
            throw new ArgumentException($"TreeCacheOptions.MaxDepth must be null or at least 0; it is {MaxDepth}.", nameof(MaxDepth));
        }

        if (MaxNodes < 1)
        {
            throw new ArgumentException($"TreeCacheOptions.MaxNodes must be at least 1; it is {MaxNodes}.", nameof(MaxNodes));
        }
    }

    /// <summary>A copy, so later changes by the caller do not affect a running cache.</summary>
    internal TreeCacheOptions Clone() => new() { CacheData = CacheData, MaxDepth = MaxDepth, MaxNodes = MaxNodes };
}
