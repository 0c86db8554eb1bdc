using System.Diagnostics.CodeAnalysis;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The nodes a <see cref="TreeCache"/> holds, indexed by path and by parent, with the rules for applying reads to them.
/// Synchronous and free of I/O. One writer (the cache's processing loop); readers on any thread.
/// </summary>
/// <remarks>
/// Rules: a node other than the root is only cached under a cached parent, so the cached nodes always form a tree and
/// removing a node removes its subtree. A read never takes a node back in time (see <see cref="TreeDiff"/>). At most
/// <see cref="MaxNodes"/> nodes are held; nodes beyond that are not cached and counted in <see cref="TakeDropped"/>.
/// </remarks>
internal sealed class TreeStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _nodes = new(StringComparer.Ordinal);
    private int _dropped;

    /// <param name="root">The root path of the tree.</param>
    /// <param name="maxNodes">The most nodes held.</param>
    public TreeStore(string root, int maxNodes)
    {
        Root = root;
        MaxNodes = maxNodes;
    }

    /// <summary>The root path.</summary>
    public string Root { get; }

    /// <summary>The most nodes held.</summary>
    public int MaxNodes { get; }

    /// <summary>The number of cached nodes.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>The cached node at <paramref name="path"/>.</summary>
    public bool TryGet(string path, [NotNullWhen(true)] out NodeSnapshot? node)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(path, out var entry))
            {
                node = entry.Node;
                return true;
            }
        }

        node = null;
        return false;
    }

    /// <summary>A copy of every cached node, by path, taken at one moment.</summary>
    public Dictionary<string, NodeSnapshot> Snapshot()
    {
        lock (_lock)
        {
            var copy = new Dictionary<string, NodeSnapshot>(_nodes.Count, StringComparer.Ordinal);
            foreach (var (path, entry) in _nodes)
            {
                copy.Add(path, entry.Node);
            }

            return copy;
        }
    }

    /// <summary>How many nodes were not cached because of <see cref="MaxNodes"/> since the last call; resets the count.</summary>
    public int TakeDropped()
    {
        lock (_lock)
        {
            var dropped = _dropped;
            _dropped = 0;
            return dropped;
        }
    }

    /// <summary>
    /// Applies a fresh read of one node. Returns true when the node became cached (new, or a new incarnation) and had
    /// children when read: those were created before the read and will produce no events of their own, so the caller
    /// must load them.
    /// </summary>
    public bool ApplyRead(NodeSnapshot node, List<TreeChange> changes)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(node.Path, out var entry))
            {
                var old = entry.Node;
                if (node.Stat.Czxid < old.Stat.Czxid)
                {
                    return false;
                }

                if (node.Stat.Czxid == old.Stat.Czxid)
                {
                    if (node.Stat.Mzxid > old.Stat.Mzxid)
                    {
                        entry.Node = node;
                        changes.Add(TreeChange.Changed(old, node));
                    }
                    else if (node.Stat.Mzxid == old.Stat.Mzxid)
                    {
                        // Same version; the stat's child fields may be newer.
                        entry.Node = node;
                    }

                    return false;
                }

                // Another incarnation: the old one and everything cached under it are gone.
                RemoveSubtree(node.Path, changes);
            }

            if (!TryAdd(node))
            {
                return false;
            }

            changes.Add(TreeChange.Created(node));
            return node.Stat.NumChildren > 0;
        }
    }

    /// <summary>Applies "the node does not exist": removes it and its cached subtree.</summary>
    public void ApplyMissing(string path, List<TreeChange> changes)
    {
        lock (_lock)
        {
            RemoveSubtree(path, changes);
        }
    }

    /// <summary>
    /// Applies a fresh read of the subtree at <paramref name="path"/> (the node included; empty when it is missing).
    /// With <paramref name="complete"/> false (the read stopped at the node bound) nodes absent from the read are kept,
    /// since their absence proves nothing.
    /// </summary>
    public void ApplySubtree(string path, IReadOnlyDictionary<string, NodeSnapshot> fresh, bool complete, List<TreeChange> changes)
    {
        Dictionary<string, NodeSnapshot> cached;
        lock (_lock)
        {
            cached = SubtreeOf(path);
        }

        var diff = TreeDiff.Compute(cached, fresh);
        lock (_lock)
        {
            foreach (var change in diff)
            {
                switch (change.Kind)
                {
                    case TreeChangeKind.Deleted:
                        if ((complete || fresh.ContainsKey(change.Path))
                            && _nodes.TryGetValue(change.Path, out var doomed)
                            && ReferenceEquals(doomed.Node, change.Old))
                        {
                            RemoveSubtree(change.Path, changes);
                        }

                        break;
                    case TreeChangeKind.Created:
                        if (TryAdd(change.New!))
                        {
                            changes.Add(change);
                        }

                        break;
                    case TreeChangeKind.Changed:
                        if (_nodes.TryGetValue(change.Path, out var changed))
                        {
                            changed.Node = change.New!;
                            changes.Add(change);
                        }

                        break;
                }
            }

            // Same versions: keep the fresher stat (child counts) without reporting anything.
            foreach (var (nodePath, node) in fresh)
            {
                if (_nodes.TryGetValue(nodePath, out var entry) && NodeSnapshot.SameVersion(entry.Node, node))
                {
                    entry.Node = node;
                }
            }
        }
    }

    // Under _lock.
    private Dictionary<string, NodeSnapshot> SubtreeOf(string path)
    {
        var result = new Dictionary<string, NodeSnapshot>(StringComparer.Ordinal);
        if (!_nodes.TryGetValue(path, out var top))
        {
            return result;
        }

        var pending = new Stack<(string Path, Entry Entry)>();
        pending.Push((path, top));
        while (pending.TryPop(out var item))
        {
            result.Add(item.Path, item.Entry.Node);
            if (item.Entry.Children is { } children)
            {
                foreach (var child in children)
                {
                    pending.Push((child, _nodes[child]));
                }
            }
        }

        return result;
    }

    // Under _lock. Caches a node whose path is not cached yet, if its parent is (or it is the root) and there is room.
    private bool TryAdd(NodeSnapshot node)
    {
        if (_nodes.ContainsKey(node.Path))
        {
            return false;
        }

        Entry? parent = null;
        if (node.Path != Root && !_nodes.TryGetValue(PathUtils.GetParent(node.Path)!, out parent))
        {
            return false;
        }

        if (_nodes.Count >= MaxNodes)
        {
            _dropped++;
            return false;
        }

        _nodes.Add(node.Path, new Entry(node));
        if (parent is not null)
        {
            (parent.Children ??= new HashSet<string>(StringComparer.Ordinal)).Add(node.Path);
        }

        return true;
    }

    // Under _lock. Removes a node and its cached descendants, reporting children before their parent.
    private void RemoveSubtree(string path, List<TreeChange> changes)
    {
        if (!_nodes.ContainsKey(path))
        {
            return;
        }

        // Pre-order (parents first), then removed in reverse: every node after all of its descendants.
        var order = new List<string>();
        var pending = new Stack<string>();
        pending.Push(path);
        while (pending.TryPop(out var current))
        {
            order.Add(current);
            if (_nodes[current].Children is { } children)
            {
                foreach (var child in children)
                {
                    pending.Push(child);
                }
            }
        }

        for (var i = order.Count - 1; i >= 0; i--)
        {
            _nodes.Remove(order[i], out var removed);
            changes.Add(TreeChange.Deleted(removed!.Node));
        }

        if (path != Root && _nodes.TryGetValue(PathUtils.GetParent(path)!, out var parent) && parent.Children is { } siblings)
        {
            siblings.Remove(path);
            if (siblings.Count == 0)
            {
                parent.Children = null;
            }
        }
    }

    private sealed class Entry(NodeSnapshot node)
    {
        public NodeSnapshot Node { get; set; } = node;

        public HashSet<string>? Children { get; set; }
    }
}
