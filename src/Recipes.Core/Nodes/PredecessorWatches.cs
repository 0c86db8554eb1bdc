using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The <c>getData</c> watches one wait of a <see cref="SequentialNodeQueue"/> holds on participants ahead of ours, by
/// node name, with one watcher for all of them: which are armed, which are known deleted, and a signal completed by
/// every deletion or data change among them.
/// </summary>
/// <remarks>
/// Names only: the queue combines them with its parent path. A name is <em>known</em> from the moment its watch is
/// being set until its deletion is seen; a data change fires the watch (no longer armed) but keeps the name known, so
/// re-arming it (whose <c>getData</c> reports a delete in between as <c>NoNode</c>) keeps every deletion seen.
/// </remarks>
internal sealed class PredecessorWatches
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _armed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _gone = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PredecessorWatches() => Watcher = ZooKeeper.Watcher.Create(OnEvent);

    /// <summary>The one watcher set on every watched node (removals match it, so other watchers stay).</summary>
    public IWatcher Watcher { get; }

    /// <summary>Completes at the first deletion or data change after the last <see cref="ResetSignal"/>.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>
    /// A fresh signal: changes from now on complete <see cref="Changed"/>; earlier ones are already in the state read
    /// after this call.
    /// </summary>
    public void ResetSignal()
    {
        lock (_lock)
        {
            if (_changed.Task.IsCompleted)
            {
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Of <paramref name="names"/>, the ones to set a watch on now (not armed, not known gone); marks them armed.</summary>
    public List<string> BeginArming(IEnumerable<string> names)
    {
        var toArm = new List<string>();
        lock (_lock)
        {
            foreach (var name in names)
            {
                if (!_gone.Contains(name) && _armed.Add(name))
                {
                    _known.Add(name);
                    toArm.Add(name);
                }
            }
        }

        return toArm;
    }

    /// <summary>The node was already gone when its watch was set (<c>NoNode</c>: no watch was left on the server).</summary>
    public void MarkGone(string name) => Update(name, deleted: true);

    /// <summary><paramref name="sorted"/> without the names known deleted (the same instance when none is).</summary>
    public IReadOnlyList<string> Prune(IReadOnlyList<string> sorted)
    {
        lock (_lock)
        {
            return _gone.Count == 0 || !sorted.Any(_gone.Contains) ? sorted : sorted.Where(name => !_gone.Contains(name)).ToList();
        }
    }

    /// <summary>
    /// Whether every one of the <paramref name="ourIndex"/> participants ahead of ours is known (at most
    /// <paramref name="limit"/>): then, as none can appear ahead of ours, each of their deletions will be seen here.
    /// </summary>
    public bool Covers(IReadOnlyList<string> sorted, int ourIndex, int limit)
    {
        if (ourIndex > limit)
        {
            return false;
        }

        lock (_lock)
        {
            for (var i = 0; i < ourIndex; i++)
            {
                if (!_known.Contains(sorted[i]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The names whose watches are still armed (to remove them); forgets them.</summary>
    public List<string> TakeArmed()
    {
        lock (_lock)
        {
            var armed = _armed.ToList();
            _armed.Clear();
            return armed;
        }
    }

    private void OnEvent(WatchedEvent e)
    {
        // Removal events (DataWatchRemoved) and anything else carry no news about the node.
        if (e.Type is EventType.NodeDeleted or EventType.NodeDataChanged && e.Path is { } path)
        {
            Update(PathUtils.GetNodeName(path), e.Type == EventType.NodeDeleted);
        }
    }

    private void Update(string name, bool deleted)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _armed.Remove(name);
            if (deleted)
            {
                _known.Remove(name);
                _gone.Add(name);
            }

            changed = _changed;
        }

        changed.TrySetResult();
    }
}
