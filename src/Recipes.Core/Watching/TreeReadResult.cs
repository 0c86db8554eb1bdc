namespace Recipes.Core;

/// <summary>The nodes of a subtree as read now.</summary>
/// <param name="Nodes">The nodes by path (empty when the subtree's top node does not exist).</param>
/// <param name="Truncated">True when the read stopped at the node bound: nodes absent from it may still exist.</param>
internal sealed record TreeReadResult(Dictionary<string, NodeSnapshot> Nodes, bool Truncated);
