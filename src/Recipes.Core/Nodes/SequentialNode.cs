using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// A sequential ephemeral node a recipe created for one participant (a lock waiter, a latch candidate, a lease).
/// </summary>
/// <param name="Path">The node's full path, e.g. <c>/locks/a/_c_7cd0ad64-…-lock-0000000003</c>.</param>
/// <param name="Name">The node's name (the last segment of <paramref name="Path"/>).</param>
/// <param name="Czxid">
/// The zxid of the transaction that created the node: it only grows, so it serves as a fencing token for whatever the
/// node grants.
/// </param>
/// <param name="Session">The session that owns the node (its <c>ephemeralOwner</c>).</param>
public sealed record SequentialNode(string Path, string Name, long Czxid, ZooKeeperSession Session)
{
    /// <summary>The parent path the node lives under.</summary>
    public string ParentPath => PathUtils.GetParent(Path) ?? "/";
}
