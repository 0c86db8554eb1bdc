namespace Recipes.ZooKeeper.Internal;

/// <summary>The kinds of client-side watch registrations.</summary>
internal enum WatchKind
{
    Data,
    Exist,
    Child,
    Persistent,
    PersistentRecursive,
}

/// <summary>A watch to register when a request's reply arrives.</summary>
internal sealed record WatchRegistration(WatchKind Kind, string Path, IWatcher Watcher);

/// <summary>The paths to re-register after a reconnect, as client paths.</summary>
internal sealed record WatchSnapshot(
    IReadOnlyList<string> Data,
    IReadOnlyList<string> Exist,
    IReadOnlyList<string> Child,
    IReadOnlyList<string> Persistent,
    IReadOnlyList<string> PersistentRecursive)
{
    public bool IsEmpty => Data.Count + Exist.Count + Child.Count + Persistent.Count + PersistentRecursive.Count == 0;
}

/// <summary>
/// The client-side watch tables. The server sends one notification per event and connection; this fans it out to
/// the watchers registered locally, by kind (<c>ZKWatchManager</c>'s rules).
/// </summary>
/// <remarks>
/// The 3.8.0 server downgrades a persistent watch when the same session sets a one-shot watch on the same path
/// (ZOOKEEPER-4466). So a one-shot watch on a path that already has a persistent (or recursive) watch is not sent
/// to the server: it is served locally from the persistent watch's events. A child watch served by a recursive watch
/// (which never delivers NodeChildrenChanged) is fired from the NodeCreated/NodeDeleted events of direct children.
/// A persistent watch that is removed while such one-shot watchers still depend on it stays on the server until
/// they are gone.
/// </remarks>
internal sealed class WatchManager
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<IWatcher>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _child = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _persistent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IWatcher>> _recursive = new(StringComparer.Ordinal);

    // Persistent / recursive server watches kept only for one-shot watchers that depend on them.
    private readonly HashSet<string> _orphanPersistent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _orphanRecursive = new(StringComparer.Ordinal);

    /// <summary>The number of (path, watcher) registrations, for metrics and leak tests.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return Sum(_data) + Sum(_exist) + Sum(_child) + Sum(_persistent) + Sum(_recursive);
            }
        }
    }

    /// <summary>
    /// Whether a one-shot watch on <paramref name="path"/> must stay local: the session holds a persistent or
    /// recursive watch on exactly that path on the server.
    /// </summary>
    public bool ServedByPersistent(string path)
    {
        lock (_lock)
        {
            return _persistent.ContainsKey(path) || _recursive.ContainsKey(path) || _orphanPersistent.Contains(path) || _orphanRecursive.Contains(path);
        }
    }

    public void Register(WatchRegistration registration)
    {
        lock (_lock)
        {
            var table = Table(registration.Kind);
            if (!table.TryGetValue(registration.Path, out var set))
            {
                set = [];
                table[registration.Path] = set;
            }

            set.Add(registration.Watcher);
            if (registration.Kind == WatchKind.Persistent)
            {
                _orphanPersistent.Remove(registration.Path);
            }
            else if (registration.Kind == WatchKind.PersistentRecursive)
            {
                _orphanRecursive.Remove(registration.Path);
            }
        }
    }

    /// <summary>
    /// Takes the watchers an event goes to (one-shot ones are removed). <paramref name="orphanToRemove"/> is set to
    /// a path whose server persistent watch is no longer needed by anyone.
    /// </summary>
    public List<IWatcher> Materialize(EventType type, string path, out string? orphanToRemove)
    {
        var result = new HashSet<IWatcher>(ReferenceEqualityComparer.Instance);
        orphanToRemove = null;
        lock (_lock)
        {
            switch (type)
            {
                case EventType.NodeCreated:
                case EventType.NodeDataChanged:
                    Take(_data, path, result);
                    Take(_exist, path, result);
                    Add(_persistent, path, result);
                    AddRecursive(path, result);
                    break;
                case EventType.NodeChildrenChanged:
                    Take(_child, path, result);
                    Add(_persistent, path, result);
                    break;
                case EventType.NodeDeleted:
                    Take(_data, path, result);
                    Take(_exist, path, result);
                    Take(_child, path, result);
                    Add(_persistent, path, result);
                    AddRecursive(path, result);
                    break;
                default:
                    break;
            }

            orphanToRemove = TakeOrphanIfUnused(path);
        }

        return [.. result];
    }

    /// <summary>
    /// Watchers of a parent's child list that a recursive watch on the parent serves locally: fired by a direct
    /// child's creation or deletion. Returned separately because the event they get is NodeChildrenChanged(parent).
    /// </summary>
    public List<IWatcher> MaterializeEmulatedChildEvent(string childPath, out string? parent, out string? orphanToRemove)
    {
        orphanToRemove = null;
        parent = PathUtils.GetParent(childPath);
        var result = new List<IWatcher>();
        if (parent is null)
        {
            return result;
        }

        lock (_lock)
        {
            if (!(_recursive.ContainsKey(parent) || _orphanRecursive.Contains(parent)) || _persistent.ContainsKey(parent) || _orphanPersistent.Contains(parent))
            {
                return result;
            }

            if (_child.Remove(parent, out var set))
            {
                result.AddRange(set);
            }

            orphanToRemove = TakeOrphanIfUnused(parent);
        }

        return result;
    }

    /// <summary>Every path to re-register after a reconnect.</summary>
    public WatchSnapshot Snapshot()
    {
        lock (_lock)
        {
            var persistent = _persistent.Keys.Concat(_orphanPersistent).Distinct(StringComparer.Ordinal).ToList();
            var recursive = _recursive.Keys.Concat(_orphanRecursive).Distinct(StringComparer.Ordinal).ToList();
            return new WatchSnapshot([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys], persistent, recursive);
        }
    }

    /// <summary>
    /// Removes matching watchers (all of the type when <paramref name="watcher"/> is null). Returns the removed
    /// (kind, watcher) pairs, and whether the server's watch of <paramref name="type"/> should be removed too.
    /// </summary>
    public (List<(WatchKind Kind, IWatcher Watcher)> Removed, bool RemoveOnServer) Remove(string path, IWatcher? watcher, WatcherType type)
    {
        var removed = new List<(WatchKind, IWatcher)>();
        lock (_lock)
        {
            var kinds = type switch
            {
                WatcherType.Children => [WatchKind.Child],
                WatcherType.Data => [WatchKind.Data, WatchKind.Exist],
                _ => new[] { WatchKind.Data, WatchKind.Exist, WatchKind.Child, WatchKind.Persistent, WatchKind.PersistentRecursive },
            };

            var hadPersistent = _persistent.ContainsKey(path) || _recursive.ContainsKey(path);
            foreach (var kind in kinds)
            {
                var table = Table(kind);
                if (!table.TryGetValue(path, out var set))
                {
                    continue;
                }

                if (watcher is null)
                {
                    removed.AddRange(set.Select(w => (kind, w)));
                    table.Remove(path);
                }
                else if (set.Remove(watcher))
                {
                    removed.Add((kind, watcher));
                    if (set.Count == 0)
                    {
                        table.Remove(path);
                    }
                }
            }

            if (removed.Count == 0)
            {
                return (removed, false);
            }

            var persistentRemains = _persistent.ContainsKey(path) || _recursive.ContainsKey(path);
            var oneShotRemains = _data.ContainsKey(path) || _exist.ContainsKey(path) || _child.ContainsKey(path);
            bool removeOnServer;
            if (type == WatcherType.Any)
            {
                if (hadPersistent && !persistentRemains && oneShotRemains)
                {
                    // One-shot watchers still rely on the persistent watch: keep it on the server for now.
                    if (removed.Any(r => r.Item1 == WatchKind.Persistent))
                    {
                        _orphanPersistent.Add(path);
                    }

                    if (removed.Any(r => r.Item1 == WatchKind.PersistentRecursive))
                    {
                        _orphanRecursive.Add(path);
                    }

                    removeOnServer = false;
                }
                else
                {
                    removeOnServer = !persistentRemains && !oneShotRemains && !_orphanPersistent.Contains(path) && !_orphanRecursive.Contains(path);
                }
            }
            else
            {
                // Removing a one-shot kind on the server would also strip a persistent watch's entry there.
                var servedLocally = persistentRemains || _orphanPersistent.Contains(path) || _orphanRecursive.Contains(path);
                var kindRemains = type == WatcherType.Children ? _child.ContainsKey(path) : _data.ContainsKey(path) || _exist.ContainsKey(path);
                removeOnServer = !servedLocally && !kindRemains;
            }

            // The last watcher an orphaned persistent watch was kept for is gone: the server's watch can go too.
            if (TakeOrphanIfUnused(path) is not null && !persistentRemains)
            {
                removeOnServer = true;
            }

            return (removed, removeOnServer);
        }
    }

    /// <summary>Whether any watcher of any kind is registered on exactly <paramref name="path"/>.</summary>
    public bool HasWatchers(string path)
    {
        lock (_lock)
        {
            return _data.ContainsKey(path) || _exist.ContainsKey(path) || _child.ContainsKey(path) || _persistent.ContainsKey(path)
                || _recursive.ContainsKey(path) || _orphanPersistent.Contains(path) || _orphanRecursive.Contains(path);
        }
    }

    /// <summary>Forgets every watch (the session is gone).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _data.Clear();
            _exist.Clear();
            _child.Clear();
            _persistent.Clear();
            _recursive.Clear();
            _orphanPersistent.Clear();
            _orphanRecursive.Clear();
        }
    }

    private string? TakeOrphanIfUnused(string path)
    {
        if (!_orphanPersistent.Contains(path) && !_orphanRecursive.Contains(path))
        {
            return null;
        }

        if (_data.ContainsKey(path) || _exist.ContainsKey(path) || _child.ContainsKey(path))
        {
            return null;
        }

        _orphanPersistent.Remove(path);
        _orphanRecursive.Remove(path);
        return path;
    }

    private void AddRecursive(string path, HashSet<IWatcher> result)
    {
        if (_recursive.Count == 0)
        {
            return;
        }

        for (string? p = path; p is not null; p = PathUtils.GetParent(p))
        {
            Add(_recursive, p, result);
        }
    }

    private Dictionary<string, HashSet<IWatcher>> Table(WatchKind kind) => kind switch
    {
        WatchKind.Data => _data,
        WatchKind.Exist => _exist,
        WatchKind.Child => _child,
        WatchKind.Persistent => _persistent,
        _ => _recursive,
    };

    private static void Take(Dictionary<string, HashSet<IWatcher>> table, string path, HashSet<IWatcher> result)
    {
        if (table.Remove(path, out var set))
        {
            result.UnionWith(set);
        }
    }

    private static void Add(Dictionary<string, HashSet<IWatcher>> table, string path, HashSet<IWatcher> result)
    {
        if (table.TryGetValue(path, out var set))
        {
            result.UnionWith(set);
        }
    }

    private static int Sum(Dictionary<string, HashSet<IWatcher>> table) => table.Values.Sum(s => s.Count);
}
