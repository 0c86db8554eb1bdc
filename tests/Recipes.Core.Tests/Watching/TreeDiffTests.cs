using static Recipes.Core.Tests.Watching.Nodes;

namespace Recipes.Core.Tests.Watching;

public sealed class TreeDiffTests
{
    [Fact]
    public void NewNodesAreCreatedParentsFirst()
    {
        var changes = TreeDiff.Compute(Tree(), Tree(Node("/r/b", 3, 3), Node("/r/a/x", 4, 4), Node("/r", 1, 1), Node("/r/a", 2, 2)));

        Assert.Equal("Created /r, Created /r/a, Created /r/b, Created /r/a/x", Describe(changes));
        Assert.All(changes, c => Assert.Null(c.Old));
        Assert.All(changes, c => Assert.NotNull(c.New));
    }

    [Fact]
    public void NewerMzxidIsChangedWithOldAndNewValues()
    {
        var old = Node("/r/a", 2, 2, "one");
        var now = Node("/r/a", 2, 7, "two");

        var change = Assert.Single(TreeDiff.Compute(Tree(Node("/r", 1, 1), old), Tree(Node("/r", 1, 1), now)));

        Assert.Equal(TreeChangeKind.Changed, change.Kind);
        Assert.Same(old, change.Old);
        Assert.Same(now, change.New);
    }

    [Fact]
    public void SameVersionIsNoChangeEvenWhenTheStatObjectDiffers()
    {
        Assert.Empty(TreeDiff.Compute(Tree(Node("/r", 1, 5, "x")), Tree(Node("/r", 1, 5, "x", numChildren: 3))));
    }

    [Fact]
    public void StaleReadsNeverTakeTheCacheBackInTime()
    {
        var cached = Tree(Node("/r", 10, 10), Node("/r/a", 12, 20));

        // Same incarnation with an older mzxid, and an older incarnation: both ignored, nothing deleted.
        Assert.Empty(TreeDiff.Compute(cached, Tree(Node("/r", 10, 10), Node("/r/a", 12, 15))));
        Assert.Empty(TreeDiff.Compute(cached, Tree(Node("/r", 10, 10), Node("/r/a", 11, 30))));
    }

    [Fact]
    public void MissingNodesAreDeletedChildrenFirst()
    {
        var cached = Tree(Node("/r", 1, 1), Node("/r/a", 2, 2), Node("/r/a/x", 3, 3), Node("/r/a/y", 4, 4), Node("/r/a/x/deep", 5, 5), Node("/r/b", 6, 6));

        var changes = TreeDiff.Compute(cached, Tree(Node("/r", 1, 1), Node("/r/b", 6, 6)));

        Assert.Equal("Deleted /r/a/x/deep, Deleted /r/a/x, Deleted /r/a/y, Deleted /r/a", Describe(changes));
        Assert.All(changes, c => Assert.Null(c.New));
        Assert.Same(cached["/r/a"], changes[^1].Old);
    }

    [Fact]
    public void RootGoneDeletesEverything()
    {
        var changes = TreeDiff.Compute(Tree(Node("/r", 1, 1), Node("/r/a", 2, 2)), Tree());

        Assert.Equal("Deleted /r/a, Deleted /r", Describe(changes));
    }

    [Fact]
    public void RecreatedWithTheSameDataIsDeletedThenCreated()
    {
        var old = Node("/r/a", 2, 2, "same");
        var recreated = Node("/r/a", 9, 9, "same");

        var changes = TreeDiff.Compute(Tree(Node("/r", 1, 1), old), Tree(Node("/r", 1, 1), recreated));

        Assert.Equal("Deleted /r/a, Created /r/a", Describe(changes));
        Assert.Same(old, changes[0].Old);
        Assert.Same(recreated, changes[1].New);
    }

    [Fact]
    public void RecreatedSubtreeIsDeletedBottomUpThenCreatedTopDown()
    {
        var cached = Tree(Node("/r", 1, 1), Node("/r/a", 2, 2), Node("/r/a/x", 3, 3), Node("/r/c", 4, 8));
        var current = Tree(Node("/r", 1, 1), Node("/r/a", 20, 20), Node("/r/a/x", 21, 21), Node("/r/c", 4, 22), Node("/r/d", 23, 23));

        var changes = TreeDiff.Compute(cached, current);

        Assert.Equal("Deleted /r/a/x, Deleted /r/a, Created /r/a, Changed /r/c, Created /r/d, Created /r/a/x", Describe(changes));
    }

    [Fact]
    public void EmptyTreesHaveNoChanges()
    {
        Assert.Empty(TreeDiff.Compute(Tree(), Tree()));
    }
}
