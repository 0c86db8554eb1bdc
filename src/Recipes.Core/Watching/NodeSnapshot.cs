using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>A znode as it was last read: its path, data and stat. Immutable; shared by caches and watchers.</summary>
/// <remarks>
/// <see cref="Data"/> is the array the cache holds: treat it as read-only. Two snapshots are the same version of the
/// same znode when their <see cref="Stat.Czxid"/> (the incarnation) and <see cref="Stat.Mzxid"/> (the last data
/// change) are equal; the version counter alone cannot tell a deleted and re-created node from the original.
/// </remarks>
public sealed class NodeSnapshot
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="path">The znode's path (relative to the connection's namespace).</param>
    /// <param name="data">The data; null when the node holds none or the data is not cached.</param>
    /// <param name="stat">The stat read together with the data.</param>
    public NodeSnapshot(string path, byte[]? data, Stat stat)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stat);
        Path = path;
        Data = data;
        Stat = stat;
    }

    /// <summary>The znode's path.</summary>
    public string Path { get; }

    /// <summary>The data (do not modify it); null when the node holds none or data is not cached.</summary>
    public byte[]? Data { get; }

    /// <summary>The stat read with the data.</summary>
    public Stat Stat { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Path} (czxid 0x{Stat.Czxid:x}, mzxid 0x{Stat.Mzxid:x}, version {Stat.Version}, {Data?.Length ?? 0} bytes)";

    /// <summary>Whether both are absent, or both are the same version (czxid and mzxid) of the same znode.</summary>
    internal static bool SameVersion(NodeSnapshot? a, NodeSnapshot? b) =>
        a is null ? b is null : b is not null && a.Stat.Czxid == b.Stat.Czxid && a.Stat.Mzxid == b.Stat.Mzxid;
}
