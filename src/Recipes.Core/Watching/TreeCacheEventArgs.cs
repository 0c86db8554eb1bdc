namespace Recipes.Core;

/// <summary>A change to one node of a <see cref="TreeCache"/>.</summary>
public sealed class TreeCacheEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="path">The node's path.</param>
    /// <param name="oldNode">The node before (null when it was created).</param>
    /// <param name="newNode">The node after (null when it was deleted).</param>
    public TreeCacheEventArgs(string path, NodeSnapshot? oldNode, NodeSnapshot? newNode)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        OldNode = oldNode;
        NewNode = newNode;
    }

    /// <summary>The node's path.</summary>
    public string Path { get; }

    /// <summary>The node as cached before the change; null for <see cref="TreeCache.Created"/>.</summary>
    public NodeSnapshot? OldNode { get; }

    /// <summary>The node as cached after the change; null for <see cref="TreeCache.Deleted"/>.</summary>
    public NodeSnapshot? NewNode { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {OldNode?.ToString() ?? "none"} -> {NewNode?.ToString() ?? "none"}";
}
