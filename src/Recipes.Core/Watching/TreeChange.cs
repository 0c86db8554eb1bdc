namespace Recipes.Core;

/// <summary>What happened to one cached node.</summary>
internal enum TreeChangeKind
{
    /// <summary>The node appeared (or a new incarnation of it).</summary>
    Created,
    /// <summary>The node's data changed (same incarnation, newer mzxid).</summary>
    Changed,
    /// <summary>The node disappeared (or this incarnation of it was replaced).</summary>
    Deleted,
}

/// <summary>One change to the cached tree, with the node before and after.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Path">The node's path.</param>
/// <param name="Old">The node before (null for <see cref="TreeChangeKind.Created"/>).</param>
/// <param name="New">The node after (null for <see cref="TreeChangeKind.Deleted"/>).</param>
internal sealed record TreeChange(TreeChangeKind Kind, string Path, NodeSnapshot? Old, NodeSnapshot? New)
{
    public static TreeChange Created(NodeSnapshot node) => new(TreeChangeKind.Created, node.Path, null, node);

    public static TreeChange Changed(NodeSnapshot old, NodeSnapshot node) => new(TreeChangeKind.Changed, node.Path, old, node);

    public static TreeChange Deleted(NodeSnapshot old) => new(TreeChangeKind.Deleted, old.Path, old, null);
}
