using Recipes.ZooKeeper.Internal;

namespace Recipes.ZooKeeper.Tests.Unit;

/// <summary>Client-side fan-out of the one notification the server sends per event (reference §8).</summary>
public sealed class WatchManagerTests
{
    private readonly WatchManager _watches = new();

    [Theory]
    [InlineData(EventType.NodeCreated)]
    [InlineData(EventType.NodeDataChanged)]
    public void Created_and_data_changed_reach_data_exist_persistent_and_recursive_watchers_on_the_path_and_ancestors(EventType type)
    {
        var w = Register(
            (WatchKind.Data, "/a/b"),
            (WatchKind.Exist, "/a/b"),
            (WatchKind.Persistent, "/a/b"),
            (WatchKind.PersistentRecursive, "/a/b"),
            (WatchKind.PersistentRecursive, "/a"),
            (WatchKind.PersistentRecursive, "/"),
            (WatchKind.Child, "/a/b"),
            (WatchKind.Persistent, "/a"),
            (WatchKind.Data, "/a"),
            (WatchKind.PersistentRecursive, "/a/b/c"),
            (WatchKind.PersistentRecursive, "/a/bc"));

        var fired = _watches.Materialize(type, "/a/b", out var orphan);

        AssertFired(w[..6], fired);
        Assert.Null(orphan);
    }

    [Fact]
    public void Children_changed_reaches_child_and_persistent_watchers_but_never_recursive_ones()
    {
        var w = Register(
            (WatchKind.Child, "/a"),
            (WatchKind.Persistent, "/a"),
            (WatchKind.PersistentRecursive, "/a"),
            (WatchKind.PersistentRecursive, "/"),
            (WatchKind.Data, "/a"),
            (WatchKind.Exist, "/a"));

        var fired = _watches.Materialize(EventType.NodeChildrenChanged, "/a", out _);

        AssertFired(w[..2], fired);
    }

    [Fact]
    public void Deleted_reaches_every_kind_on_the_path_and_recursive_ancestors()
    {
        var w = Register(
            (WatchKind.Data, "/a/b"),
            (WatchKind.Exist, "/a/b"),
            (WatchKind.Child, "/a/b"),
            (WatchKind.Persistent, "/a/b"),
            (WatchKind.PersistentRecursive, "/a/b"),
            (WatchKind.PersistentRecursive, "/a"),
            (WatchKind.Child, "/a"),
            (WatchKind.Persistent, "/a"));

        var fired = _watches.Materialize(EventType.NodeDeleted, "/a/b", out _);

        AssertFired(w[..6], fired);
    }

    [Fact]
    public void One_shot_watchers_are_removed_when_they_fire_and_persistent_ones_stay()
    {
        var w = Register((WatchKind.Data, "/a"), (WatchKind.Child, "/a"), (WatchKind.Persistent, "/a"), (WatchKind.PersistentRecursive, "/a"));
        Assert.Equal(4, _watches.Count);

        AssertFired([w[0], w[2], w[3]], _watches.Materialize(EventType.NodeDataChanged, "/a", out _));
        Assert.Equal(3, _watches.Count);
        AssertFired([w[2], w[3]], _watches.Materialize(EventType.NodeDataChanged, "/a", out _));

        AssertFired([w[1], w[2], w[3]], _watches.Materialize(EventType.NodeDeleted, "/a", out _));
        Assert.Equal(2, _watches.Count);
        AssertFired([w[2], w[3]], _watches.Materialize(EventType.NodeDeleted, "/a", out _));
    }

    [Fact]
    public void A_watcher_registered_several_ways_gets_one_event()
    {
        var watcher = Watcher.Create(_ => { });
        foreach (var kind in new[] { WatchKind.Data, WatchKind.Exist, WatchKind.Child, WatchKind.Persistent, WatchKind.PersistentRecursive })
        {
            _watches.Register(new WatchRegistration(kind, "/a", watcher));
        }

        _watches.Register(new WatchRegistration(WatchKind.Data, "/a", watcher));
        _watches.Register(new WatchRegistration(WatchKind.PersistentRecursive, "/", watcher));
        Assert.Equal(6, _watches.Count);

        Assert.Equal([watcher], _watches.Materialize(EventType.NodeDeleted, "/a", out _));
    }

    [Fact]
    public void Events_for_unwatched_paths_and_state_events_reach_no_one()
    {
        Register((WatchKind.Data, "/a"), (WatchKind.Persistent, "/a"));
        Assert.Empty(_watches.Materialize(EventType.NodeDataChanged, "/b", out _));
        Assert.Empty(_watches.Materialize(EventType.None, "/a", out _));
        Assert.Equal(2, _watches.Count);
    }

    [Fact]
    public void ServedByPersistent_means_a_persistent_or_recursive_watch_on_exactly_that_path()
    {
        Register((WatchKind.Persistent, "/p"), (WatchKind.PersistentRecursive, "/r"), (WatchKind.Data, "/d"));

        Assert.True(_watches.ServedByPersistent("/p"));
        Assert.True(_watches.ServedByPersistent("/r"));
        Assert.False(_watches.ServedByPersistent("/r/child"));
        Assert.False(_watches.ServedByPersistent("/d"));
        Assert.False(_watches.ServedByPersistent("/"));
    }

    [Fact]
    public void A_child_watch_served_by_a_recursive_watch_fires_on_a_direct_childs_creation_or_deletion()
    {
        var w = Register((WatchKind.PersistentRecursive, "/a"), (WatchKind.Child, "/a"));

        Assert.Empty(_watches.MaterializeEmulatedChildEvent("/a/b/c", out var grandParent, out _));
        Assert.Equal("/a/b", grandParent);

        Assert.Equal([w[1]], _watches.MaterializeEmulatedChildEvent("/a/b", out var parent, out _));
        Assert.Equal("/a", parent);

        // One-shot: gone after firing.
        Assert.Empty(_watches.MaterializeEmulatedChildEvent("/a/c", out _, out _));
    }

    [Fact]
    public void No_child_event_is_emulated_where_a_persistent_watch_delivers_the_real_one()
    {
        Register((WatchKind.PersistentRecursive, "/a"), (WatchKind.Persistent, "/a"), (WatchKind.Child, "/a"));
        Assert.Empty(_watches.MaterializeEmulatedChildEvent("/a/b", out _, out _));
    }

    [Fact]
    public void No_child_event_is_emulated_without_a_recursive_watch_on_the_parent()
    {
        Register((WatchKind.Child, "/a"), (WatchKind.PersistentRecursive, "/"));
        Assert.Empty(_watches.MaterializeEmulatedChildEvent("/a/b", out _, out _));
        Assert.Empty(_watches.MaterializeEmulatedChildEvent("/", out var parent, out _));
        Assert.Null(parent);
    }

    [Fact]
    public void Removing_a_data_watcher_removes_its_data_and_exist_registrations()
    {
        var watcher = Watcher.Create(_ => { });
        _watches.Register(new WatchRegistration(WatchKind.Data, "/a", watcher));
        _watches.Register(new WatchRegistration(WatchKind.Exist, "/a", watcher));
        var child = Register((WatchKind.Child, "/a"))[0];

        var (removed, removeOnServer) = _watches.Remove("/a", watcher, WatcherType.Data);

        Assert.Equal([(WatchKind.Data, watcher), (WatchKind.Exist, watcher)], removed);
        Assert.True(removeOnServer);
        Assert.Equal([child], _watches.Materialize(EventType.NodeDeleted, "/a", out _));
    }

    [Fact]
    public void The_server_watch_stays_while_another_watcher_of_that_kind_remains()
    {
        var w = Register((WatchKind.Data, "/a"), (WatchKind.Data, "/a"));

        Assert.False(_watches.Remove("/a", w[0], WatcherType.Data).RemoveOnServer);
        Assert.True(_watches.Remove("/a", w[1], WatcherType.Data).RemoveOnServer);
    }

    [Fact]
    public void Removing_child_watchers_ignores_the_data_watchers()
    {
        Register((WatchKind.Data, "/a"), (WatchKind.Child, "/a"));

        var (removed, removeOnServer) = _watches.Remove("/a", null, WatcherType.Children);

        Assert.Single(removed);
        Assert.True(removeOnServer);
        Assert.Equal(1, _watches.Count);
    }

    [Fact]
    public void Removing_nothing_returns_nothing_and_keeps_the_server_watch()
    {
        var w = Register((WatchKind.Data, "/a"));

        Assert.Equal((0, false), Count(_watches.Remove("/a", w[0], WatcherType.Children)));
        Assert.Equal((0, false), Count(_watches.Remove("/b", null, WatcherType.Any)));
        Assert.Equal((0, false), Count(_watches.Remove("/a", Watcher.Create(_ => { }), WatcherType.Data)));
    }

    [Fact]
    public void One_shot_watchers_served_by_a_persistent_watch_are_removed_locally_only()
    {
        Register((WatchKind.Persistent, "/a"), (WatchKind.Data, "/a"));

        Assert.False(_watches.Remove("/a", null, WatcherType.Data).RemoveOnServer);
        Assert.True(_watches.ServedByPersistent("/a"));
    }

    [Fact]
    public void Removing_everything_with_Any_removes_the_server_watch()
    {
        Register((WatchKind.Persistent, "/a"), (WatchKind.PersistentRecursive, "/a"), (WatchKind.Data, "/a"), (WatchKind.Child, "/a"));

        var (removed, removeOnServer) = _watches.Remove("/a", null, WatcherType.Any);

        Assert.Equal(4, removed.Count);
        Assert.True(removeOnServer);
        Assert.Equal(0, _watches.Count);
        Assert.False(_watches.ServedByPersistent("/a"));
        Assert.True(_watches.Snapshot().IsEmpty);
    }

    [Fact]
    public void A_persistent_watch_removed_while_local_one_shot_watchers_depend_on_it_stays_until_they_fire()
    {
        var w = Register((WatchKind.Persistent, "/a"), (WatchKind.Data, "/a"));

        var (removed, removeOnServer) = _watches.Remove("/a", w[0], WatcherType.Any);

        Assert.Equal([(WatchKind.Persistent, w[0])], removed);
        Assert.False(removeOnServer);
        Assert.True(_watches.ServedByPersistent("/a"));
        Assert.Equal(["/a"], _watches.Snapshot().Persistent);

        // The dependent watcher fires: the orphaned server watch is now to be removed.
        Assert.Equal([w[1]], _watches.Materialize(EventType.NodeDataChanged, "/a", out var orphan));
        Assert.Equal("/a", orphan);
        Assert.False(_watches.ServedByPersistent("/a"));
        Assert.True(_watches.Snapshot().IsEmpty);
    }

    [Fact]
    public void An_orphan_is_kept_while_other_dependent_watchers_remain()
    {
        var w = Register((WatchKind.PersistentRecursive, "/a"), (WatchKind.Data, "/a"), (WatchKind.Child, "/a"));
        _watches.Remove("/a", w[0], WatcherType.Any);

        _watches.Materialize(EventType.NodeDataChanged, "/a", out var orphan);

        Assert.Null(orphan);
        Assert.Equal(["/a"], _watches.Snapshot().PersistentRecursive);
    }

    [Fact]
    public void Registering_a_persistent_watch_again_adopts_the_orphan()
    {
        var w = Register((WatchKind.Persistent, "/a"), (WatchKind.Data, "/a"));
        _watches.Remove("/a", w[0], WatcherType.Any);
        _watches.Register(new WatchRegistration(WatchKind.Persistent, "/a", w[0]));

        _watches.Materialize(EventType.NodeDataChanged, "/a", out var orphan);

        Assert.Null(orphan);
        Assert.Equal(["/a"], _watches.Snapshot().Persistent);
    }

    /// <summary>
    /// Bug: removing the last one-shot watcher that an orphaned persistent watch was kept for leaves the orphan in
    /// place, so the server keeps a persistent watch nobody uses (and it is re-registered on every reconnect).
    /// </summary>
    [Fact]
    public void Removing_the_last_watcher_that_kept_an_orphan_releases_the_orphan()
    {
        var w = Register((WatchKind.Persistent, "/a"), (WatchKind.Data, "/a"));
        _watches.Remove("/a", w[0], WatcherType.Any);

        var (removed, removeOnServer) = _watches.Remove("/a", w[1], WatcherType.Any);

        Assert.Single(removed);
        Assert.Equal(0, _watches.Count);
        Assert.True(removeOnServer, "Nothing on '/a' needs the server's persistent watch any more.");
        Assert.False(_watches.ServedByPersistent("/a"));
        Assert.True(_watches.Snapshot().IsEmpty, "An unused orphan would be re-registered on every reconnect.");
    }

    /// <summary>
    /// Bug: when the last child watcher kept alive by an orphaned recursive watch fires through an emulated child
    /// event, the orphan is never released.
    /// </summary>
    [Fact]
    public void An_emulated_child_event_that_fires_the_last_dependent_watcher_releases_the_orphan()
    {
        var w = Register((WatchKind.PersistentRecursive, "/a"), (WatchKind.Child, "/a"));
        _watches.Remove("/a", w[0], WatcherType.Any);
        Assert.Equal(["/a"], _watches.Snapshot().PersistentRecursive);

        Assert.Empty(_watches.Materialize(EventType.NodeCreated, "/a/b", out _));
        Assert.Equal([w[1]], _watches.MaterializeEmulatedChildEvent("/a/b", out _, out _));

        Assert.Equal(0, _watches.Count);
        Assert.False(_watches.ServedByPersistent("/a"));
        Assert.True(_watches.Snapshot().IsEmpty, "The orphaned recursive watch on '/a' is no longer needed by anyone.");
    }

    [Fact]
    public void Snapshot_lists_each_kinds_paths_and_Clear_forgets_everything()
    {
        Register(
            (WatchKind.Data, "/d"),
            (WatchKind.Data, "/d"),
            (WatchKind.Exist, "/e"),
            (WatchKind.Child, "/c"),
            (WatchKind.Persistent, "/p"),
            (WatchKind.PersistentRecursive, "/r"));

        var snapshot = _watches.Snapshot();
        Assert.Equal(["/d"], snapshot.Data);
        Assert.Equal(["/e"], snapshot.Exist);
        Assert.Equal(["/c"], snapshot.Child);
        Assert.Equal(["/p"], snapshot.Persistent);
        Assert.Equal(["/r"], snapshot.PersistentRecursive);
        Assert.False(snapshot.IsEmpty);

        _watches.Clear();
        Assert.True(_watches.Snapshot().IsEmpty);
        Assert.Equal(0, _watches.Count);
    }

    private static void AssertFired(IWatcher[] expected, List<IWatcher> fired)
    {
        Assert.Equal(expected.Length, fired.Count);
        Assert.True(fired.ToHashSet(ReferenceEqualityComparer.Instance).SetEquals(expected), "Other watchers fired than expected.");
    }

    private static (int, bool) Count((List<(WatchKind Kind, IWatcher Watcher)> Removed, bool RemoveOnServer) result) =>
        (result.Removed.Count, result.RemoveOnServer);

    /// <summary>Registers a fresh watcher for each (kind, path); returns them in order.</summary>
    private IWatcher[] Register(params (WatchKind Kind, string Path)[] registrations)
    {
        var watchers = new IWatcher[registrations.Length];
        for (var i = 0; i < registrations.Length; i++)
        {
            watchers[i] = Watcher.Create(_ => { });
            _watches.Register(new WatchRegistration(registrations[i].Kind, registrations[i].Path, watchers[i]));
        }

        return watchers;
    }
}
