namespace Recipes.ZooKeeper;

/// <summary>A znode's metadata, as the server reports it.</summary>
/// <param name="Czxid">The zxid of the transaction that created the node.</param>
/// <param name="Mzxid">The zxid of the last data change.</param>
/// <param name="Ctime">Creation time, milliseconds since the Unix epoch (server clock).</param>
/// <param name="Mtime">Last data change time, milliseconds since the Unix epoch.</param>
/// <param name="Version">The data version.</param>
/// <param name="Cversion">The child version (changes to the child list).</param>
/// <param name="Aversion">The ACL version.</param>
/// <param name="EphemeralOwner">The owning session id of an ephemeral node; 0 otherwise (also for containers and TTL nodes).</param>
/// <param name="DataLength">The length of the data (0 for null and empty).</param>
/// <param name="NumChildren">The number of children.</param>
/// <param name="Pzxid">The zxid of the last change to the child list.</param>
public sealed record Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid)
{
    /// <summary>The size of a Stat on the wire.</summary>
    internal const int WireSize = 68;
}
