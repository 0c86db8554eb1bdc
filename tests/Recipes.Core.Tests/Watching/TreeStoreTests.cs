using static Recipes.Core.Tests.Watching.Nodes;

namespace Recipes.Core.Tests.Watching;

public sealed class TreeStoreTests
{
    private readonly TreeStore _store = new("/r", maxNodes: 100);
    private readonly List<TreeChange> _changes = [];

    [Fact]
    public void ReadOfANewNodeCreatesItAndAsksForItsChildrenOnlyWhenItHasSome()
    {
        Assert.False(_store.ApplyRead(Node("/r", 1, 1), _changes));
        Assert.True(_store.ApplyRead(Node("/r/a", 2, 2, numChildren: 2), _changes));

        Assert.Equal("Created /r, Created /r/a", Describe(_changes));
        Assert.Equal(2, _store.Count);
    }

    [Fact]
    public void NodesAreOnlyCachedUnderACachedParent()
    {
        _store.ApplyRead(Node("/r/a", 2, 2), _changes);
        _store.ApplyRead(Node("/elsewhere", 2, 2), _changes);

        Assert.Empty(_changes);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void OlderReadsAreIgnoredNewerOnesChange()
    {
        _store.ApplyRead(Node("/r", 1, 1), _changes);
        _store.ApplyRead(Node("/r/a", 2, 10, "new"), _changes);
        _changes.Clear();

        _store.ApplyRead(Node("/r/a", 2, 5, "old"), _changes);
        _store.ApplyRead(Node("/r/a", 1, 1, "older incarnation"), _changes);
        Assert.Empty(_changes);
        Assert.True(_store.TryGet("/r/a", out var kept));
        Assert.Equal(10, kept.Stat.Mzxid);

        _store.ApplyRead(Node("/r/a", 2, 11, "newer"), _changes);
        var change = Assert.Single(_changes);
        Assert.Equal(TreeChangeKind.Changed, change.Kind);
        Assert.Equal(10, change.Old!.Stat.Mzxid);
        Assert.Equal(11, change.New!.Stat.Mzxid);
    }

    [Fact]
    public void NewIncarnationReplacesTheOldSubtree()
    {
        _store.ApplyRead(Node("/r", 1, 1), _changes);
        _store.ApplyRead(Node("/r/a", 2, 2), _changes);
        _store.ApplyRead(Node("/r/a/x", 3, 3), _changes);
        _changes.Clear();

        _store.ApplyRead(Node("/r/a", 9, 9), _changes);

        Assert.Equal("Deleted /r/a/x, Deleted /r/a, Created /r/a", Describe(_changes));
        Assert.False(_store.TryGet("/r/a/x", out _));
    }

    [Fact]
    public void MissingNodeRemovesItsSubtreeChildrenFirstAndCanComeBack()
    {
        _store.ApplyRead(Node("/r", 1, 1), _changes);
        _store.ApplyRead(Node("/r/a", 2, 2), _changes);
        _store.ApplyRead(Node("/r/a/x", 3, 3), _changes);
        _store.ApplyRead(Node("/r/a/x/y", 4, 4), _changes);
        _store.ApplyRead(Node("/r/b", 5, 5), _changes);
        _changes.Clear();

        _store.ApplyMissing("/r/a", _changes);
        _store.ApplyMissing("/r/not-cached", _changes);

        Assert.Equal("Deleted /r/a/x/y, Deleted /r/a/x, Deleted /r/a", Describe(_changes));
        Assert.Equal(["/r", "/r/b"], _store.Snapshot().Keys.Order(StringComparer.Ordinal));

        _changes.Clear();
        _store.ApplyRead(Node("/r/a", 6, 6), _changes);
        _store.ApplyMissing("/r", _changes);
        Assert.Equal("Created /r/a", Describe(_changes.Take(1)));
        Assert.Equal(["Deleted /r/a", "Deleted /r/b"], _changes.Skip(1).SkipLast(1).Select(c => $"{c.Kind} {c.Path}").Order(StringComparer.Ordinal));
        Assert.Equal("Deleted /r", Describe(_changes.TakeLast(1)));
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void MaxNodesBoundsTheCacheAndCountsWhatWasDropped()
    {
        var store = new TreeStore("/r", maxNodes: 2);
        store.ApplyRead(Node("/r", 1, 1), _changes);
        store.ApplyRead(Node("/r/a", 2, 2), _changes);
        store.ApplyRead(Node("/r/b", 3, 3), _changes);
        store.ApplyRead(Node("/r/c", 4, 4), _changes);

        Assert.Equal(2, store.Count);
        Assert.Equal(2, store.TakeDropped());
        Assert.Equal(0, store.TakeDropped());

        // Cached nodes keep being updated.
        _changes.Clear();
        store.ApplyRead(Node("/r/a", 2, 9), _changes);
        Assert.Equal("Changed /r/a", Describe(_changes));
    }

    [Fact]
    public void SubtreeReadAppliesTheDiffWithinThatSubtreeOnly()
    {
        _store.ApplyRead(Node("/r", 1, 1), _changes);
        _store.ApplyRead(Node("/r/a", 2, 2), _changes);
        _store.ApplyRead(Node("/r/a/old", 3, 3), _changes);
        _store.ApplyRead(Node("/r/b", 4, 4), _changes);
        _changes.Clear();

        _store.ApplySubtree("/r/a", Tree(Node("/r/a", 2, 7), Node("/r/a/new", 8, 8)), complete: true, _changes);

        Assert.Equal("Deleted /r/a/old, Changed /r/a, Created /r/a/new", Describe(_changes));
        Assert.True(_store.TryGet("/r/b", out _));
    }

    [Fact]
    public void IncompleteReadDeletesNothingItDidNotSee()
    {
        _store.ApplyRead(Node("/r", 1, 1), _changes);
        _store.ApplyRead(Node("/r/a", 2, 2), _changes);
        _store.ApplyRead(Node("/r/b", 3, 3), _changes);
        _changes.Clear();

        _store.ApplySubtree("/r", Tree(Node("/r", 1, 1), Node("/r/b", 30, 30)), complete: false, _changes);

        Assert.Equal("Deleted /r/b, Created /r/b", Describe(_changes));
        Assert.True(_store.TryGet("/r/a", out _));
    }

    [Fact]
    public void SubtreeOfAMissingRootEmptiesTheStore()
    {
        _store.ApplyRead(Node("/r", 1, 1), _changes);
        _store.ApplyRead(Node("/r/a", 2, 2), _changes);
        _changes.Clear();

        _store.ApplySubtree("/r", Tree(), complete: true, _changes);

        Assert.Equal("Deleted /r/a, Deleted /r", Describe(_changes));
        Assert.Equal(0, _store.Count);
    }
}
