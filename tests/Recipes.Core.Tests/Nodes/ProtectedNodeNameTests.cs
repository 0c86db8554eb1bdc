namespace Recipes.Core.Tests.Nodes;

public sealed class ProtectedNodeNameTests
{
    [Fact]
    public void NewIdIsALowerCaseCanonicalGuid()
    {
        var id = ProtectedNodeName.NewId();

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id);
    }

    [Fact]
    public void NewIdsAreVersion4GuidsAndDoNotRepeat()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 10_000; i++)
        {
            var id = ProtectedNodeName.NewId();

            // xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, like Java's UUID.randomUUID (Curator's ids).
            Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
            Assert.True(ids.Add(id), $"the id {id} came twice");
        }
    }

    [Fact]
    public void BuiltNamesHaveCuratorsShapeOnceTheServerAppendsTheSequence()
    {
        var id = ProtectedNodeName.NewId();

        var name = ProtectedNodeName.Build(id, "lock-") + "0000000042";

        Assert.Matches(NodeTestKit.CuratorLockName, name);
        Assert.Equal(40, ProtectedNodeName.NodePrefix(id).Length);
        Assert.True(ProtectedNodeName.IsProtected(name));
        Assert.Equal(id, ProtectedNodeName.ExtractId(name));
        Assert.Equal("lock-0000000042", ProtectedNodeName.RemoveProtection(name));
    }

    [Theory]
    [InlineData("lock-0000000001")]
    [InlineData("_c_")]
    [InlineData("_c_not-a-guid-at-all-but-long-enough-xxxxxx-lock-")]
    [InlineData("_c_7cd0ad64-c56e-4e66-9cbb-d641d833100aXlock-0000000000")]
    public void OtherNamesAreNotProtected(string name)
    {
        Assert.False(ProtectedNodeName.IsProtected(name));
        Assert.Null(ProtectedNodeName.ExtractId(name));
        Assert.Equal(name, ProtectedNodeName.RemoveProtection(name));
    }

    [Fact]
    public void CuratorsObservedNameIsProtected()
    {
        const string name = "_c_7cd0ad64-c56e-4e66-9cbb-d641d833100a-lock-0000000000";

        Assert.True(ProtectedNodeName.IsProtected(name));
        Assert.Equal("7cd0ad64-c56e-4e66-9cbb-d641d833100a", ProtectedNodeName.ExtractId(name));
    }

    [Fact]
    public void IdsMustBeLowerCaseCanonicalGuids()
    {
        Assert.Throws<ArgumentException>(() => ProtectedNodeName.NodePrefix("7CD0AD64-C56E-4E66-9CBB-D641D833100A"));
        Assert.Throws<ArgumentException>(() => ProtectedNodeName.NodePrefix("7cd0ad64c56e4e669cbbd641d833100a"));
    }

    [Fact]
    public void SortKeyIsTheTextAfterTheLastMarker()
    {
        Assert.Equal("0000000007", ProtectedNodeName.SortKey("_c_7cd0ad64-c56e-4e66-9cbb-d641d833100a-lock-0000000007", "lock-"));
        Assert.Equal("0000000003", ProtectedNodeName.SortKey("lock-lock-0000000003", "lock-"));
        Assert.Equal("no-marker", ProtectedNodeName.SortKey("no-marker", "lock-"));
    }

    [Fact]
    public void SortOrdersBySequenceNotByUuid()
    {
        // The uuids sort the other way round; only the sequence may count.
        var names = new[]
        {
            "_c_00000000-0000-4000-8000-000000000000-lock-0000000002",
            "_c_ffffffff-ffff-4fff-bfff-ffffffffffff-lock-0000000000",
            "_c_88888888-8888-4888-8888-888888888888-lock-0000000001",
        };

        var sorted = ProtectedNodeName.Sort(names, ["lock-"]);

        Assert.Equal([names[1], names[2], names[0]], sorted);
    }

    [Fact]
    public void ReadAndWriteNodesSortTogetherBySharedSequence()
    {
        var writer0 = ProtectedNodeName.Build(ProtectedNodeName.NewId(), "__WRIT__") + "0000000000";
        var reader1 = ProtectedNodeName.Build(ProtectedNodeName.NewId(), "__READ__") + "0000000001";
        var writer2 = ProtectedNodeName.Build(ProtectedNodeName.NewId(), "__WRIT__") + "0000000002";
        var reader3 = ProtectedNodeName.Build(ProtectedNodeName.NewId(), "__READ__") + "0000000003";
        string[] markers = ["__READ__", "__WRIT__"];

        var sorted = ProtectedNodeName.Sort([reader3, writer2, reader1, writer0, "unrelated-0000000000"], markers);

        Assert.Equal([writer0, reader1, writer2, reader3], sorted);
        Assert.Equal("0000000001", ProtectedNodeName.SortKey(reader1, markers));
        Assert.Equal("0000000002", ProtectedNodeName.SortKey(writer2, markers));
    }

    [Fact]
    public void SortKeepsOnlyNamesWithAMarker()
    {
        var sorted = ProtectedNodeName.Sort(["lock-0000000001", "lease-0000000000", "lock-0000000000"], ["lock-"]);

        Assert.Equal(["lock-0000000000", "lock-0000000001"], sorted);
    }

    [Fact]
    public void WithinFirstGrantsTheFirstAndWatchesThePredecessor()
    {
        var predicate = SequentialNodeQueue.WithinFirst(1);
        string[] names = ["a-lock-0000000000", "b-lock-0000000001", "c-lock-0000000002"];

        Assert.True(predicate(names, 0).IsGranted);
        Assert.Equal("a-lock-0000000000", predicate(names, 1).WatchNodeName);
        Assert.Equal("b-lock-0000000001", predicate(names, 2).WatchNodeName);
        Assert.True(SequentialNodeQueue.WithinFirst(2)(names, 1).IsGranted);
        Assert.Equal("a-lock-0000000000", SequentialNodeQueue.WithinFirst(2)(names, 2).WatchNodeName);
    }

    [Fact]
    public void SortMatchesOrderingBySortKeyThenName()
    {
        // Random participants of a read-write lock (shared sequence), some with the markers in their uuid-free prefix,
        // and non-participants: Sort keeps exactly the participants, ordered by SortKey (ordinal), ties by name.
        string[] markers = ["__READ__", "__WRIT__"];
        var random = new Random(7);
        var names = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var marker = markers[random.Next(2)];
            var sequence = random.Next(0, 60).ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
            names.Add(random.Next(3) switch
            {
                0 => ProtectedNodeName.Build(ProtectedNodeName.NewId(), marker) + sequence,
                1 => marker + sequence,
                _ => "other-" + sequence,
            });
        }

        var expected = names
            .Where(n => markers.Any(m => n.Contains(m, StringComparison.Ordinal)))
            .OrderBy(n => ProtectedNodeName.SortKey(n, markers), StringComparer.Ordinal)
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, ProtectedNodeName.Sort(names, markers));
    }
}
