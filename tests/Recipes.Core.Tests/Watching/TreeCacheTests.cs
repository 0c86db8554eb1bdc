using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Core.Tests.Watching.WatchingKit;

namespace Recipes.Core.Tests.Watching;

[Collection(WatchingServerCollection.Name)]
public sealed class TreeCacheTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task LoadsTheTreeThenReportsCreateChangeAndDelete()
    {
        var root = zk.NewRoot(nameof(LoadsTheTreeThenReportsCreateChangeAndDelete));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, Bytes("r"));
        await writer.CreateAsync(root + "/a", Bytes("A"));
        await writer.CreateAsync(root + "/a/x", Bytes("X"));
        await writer.CreateAsync(root + "/b", null);
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var cache = new TreeCache(connection, root);
        var events = RecordEvents(cache);

        await cache.StartAsync();

        Assert.True(cache.Initialized.IsCompletedSuccessfully);
        Assert.Equal(4, cache.Count);
        Assert.Equal(await ServerTreeAsync(writer, root), CacheTree(cache));
        Assert.True(cache.TryGet(root + "/a", out var a));
        Assert.Equal("A", Text(a));
        Assert.False(cache.TryGet(root + "/missing", out _));

        // The initial nodes arrive as Created events, parents first, all before Initialized.
        var initial = events.Items;
        Assert.Equal([root, root + "/a", root + "/b", root + "/a/x"], initial.Select(e => e.Path));
        Assert.All(initial, e => Assert.Equal("Created", e.Kind));
        Assert.All(initial, e => Assert.False(e.AfterInitialized));

        await writer.CreateAsync(root + "/c", Bytes("C"));
        var created = await NextAsync(events, initial.Count, "Created", root + "/c");
        Assert.Null(created.Old);
        Assert.Equal("C", Text(created.New));

        await writer.SetDataAsync(root + "/a", Bytes("A2"));
        var changed = await NextAsync(events, initial.Count, "Changed", root + "/a");
        Assert.Equal("A", Text(changed.Old));
        Assert.Equal("A2", Text(changed.New));
        Assert.Equal(changed.Old!.Stat.Czxid, changed.New!.Stat.Czxid);
        Assert.True(changed.New.Stat.Mzxid > changed.Old.Stat.Mzxid);

        await writer.DeleteAsync(root + "/a/x");
        var deleted = await NextAsync(events, initial.Count, "Deleted", root + "/a/x");
        Assert.Equal("X", Text(deleted.Old));
        Assert.Null(deleted.New);

        // A subtree created quickly, then deleted: children seen through their own events or the parent's load.
        await writer.CreateAsync(root + "/d", Bytes("D"));
        await writer.CreateAsync(root + "/d/e", Bytes("E"));
        await writer.CreateAsync(root + "/d/e/f", Bytes("F"));
        await NextAsync(events, initial.Count, "Created", root + "/d/e/f");
        await writer.DeleteAsync(root + "/d/e/f");
        await writer.DeleteAsync(root + "/d/e");
        await writer.DeleteAsync(root + "/d");
        await NextAsync(events, initial.Count, "Deleted", root + "/d");
        await CacheMatchesServerAsync(cache, writer, root);

        var live = events.Items.Skip(initial.Count).ToList();
        Assert.All(live, e => Assert.True(e.AfterInitialized));
        Assert.Equal(["Created", "Created", "Created"], live.Where(e => e.Path.StartsWith(root + "/d", StringComparison.Ordinal)).Take(3).Select(e => e.Kind));
        Assert.Equal(
            [root + "/d/e/f", root + "/d/e", root + "/d"],
            live.Where(e => e.Kind == "Deleted" && e.Path.StartsWith(root + "/d", StringComparison.Ordinal)).Select(e => e.Path));
        Assert.Single(live, e => e.Path == root + "/d/e" && e.Kind == "Created");
    }

    [Fact]
    public async Task HasPendingChangesTellsHandlersWhetherMoreOfTheBurstFollows()
    {
        var root = zk.NewRoot(nameof(HasPendingChangesTellsHandlersWhetherMoreOfTheBurstFollows));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, Bytes("r"));
        await writer.CreateAsync(root + "/a", Bytes("A"));
        await writer.CreateAsync(root + "/b", Bytes("B"));
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var cache = new TreeCache(connection, root);
        var seen = new List<(string Path, bool Pending)>();
        var changed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.Created += (_, e) => seen.Add((e.Path, cache.HasPendingChanges));
        cache.Changed += (_, e) => changed.TrySetResult(cache.HasPendingChanges);

        await cache.StartAsync();

        // The initial load is one read reported as three changes: the first two know more follow, the last does not.
        Assert.Equal([(root, true), (root + "/a", true), (root + "/b", false)], seen);
        Assert.False(cache.HasPendingChanges);

        // A single change with nothing behind it.
        await writer.SetDataAsync(root + "/a", Bytes("A2"));
        Assert.False(await changed.Task.WaitAsync(EventTimeout));
    }

    [Fact]
    public async Task MissingRootIsAnEmptyTreeUntilCreated()
    {
        var root = zk.NewRoot(nameof(MissingRootIsAnEmptyTreeUntilCreated));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var cache = new TreeCache(connection, root);
        var events = RecordEvents(cache);

        await cache.StartAsync();
        Assert.Equal(0, cache.Count);
        Assert.Empty(cache.Snapshot());

        await writer.CreateAsync(root, Bytes("r"));
        await writer.CreateAsync(root + "/a", Bytes("a"));
        await events.WaitAsync(e => e.Any(x => x.Path == root + "/a"), "the child's creation");
        Assert.Equal([root, root + "/a"], events.Items.Select(e => e.Path));

        await writer.DeleteAsync(root + "/a");
        await writer.DeleteAsync(root);
        await events.WaitAsync(e => e.Count(x => x.Kind == "Deleted") == 2, "both deletions");
        Assert.Equal(0, cache.Count);
        Assert.Equal(["Deleted " + root + "/a", "Deleted " + root], events.Items.Skip(2).Select(e => e.Kind + " " + e.Path));
    }

    [Fact]
    public async Task WithoutDataAndWithMaxDepthCachesStatsOfTheTopLevelsOnly()
    {
        var root = zk.NewRoot(nameof(WithoutDataAndWithMaxDepthCachesStatsOfTheTopLevelsOnly));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, Bytes("r"));
        await writer.CreateAsync(root + "/a", Bytes("a"));
        await writer.CreateAsync(root + "/a/deep", Bytes("deep"));
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var cache = new TreeCache(connection, root, new TreeCacheOptions { CacheData = false, MaxDepth = 1 });
        var events = RecordEvents(cache);
        await cache.StartAsync();

        Assert.Equal([root, root + "/a"], cache.Snapshot().Keys.Order(StringComparer.Ordinal));
        Assert.All(cache.Snapshot().Values, n => Assert.Null(n.Data));
        Assert.Equal(1, cache.Snapshot()[root + "/a"].Stat.DataLength);

        await writer.CreateAsync(root + "/a/deeper", null);
        await writer.CreateAsync(root + "/b", Bytes("b"));
        await writer.SetDataAsync(root + "/a", Bytes("a2"));
        await events.WaitAsync(e => e.Any(x => x.Kind == "Changed" && x.Path == root + "/a"), "the change of /a");
        Assert.Contains(events.Items, e => e.Kind == "Created" && e.Path == root + "/b");
        Assert.DoesNotContain(events.Items, e => e.Path.Contains("deep", StringComparison.Ordinal));
        Assert.Equal(2, cache.Snapshot()[root + "/a"].Stat.DataLength);
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public async Task MaxNodesBoundsTheCache()
    {
        var root = zk.NewRoot(nameof(MaxNodesBoundsTheCache));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, null);
        for (var i = 0; i < 5; i++)
        {
            await writer.CreateAsync($"{root}/c{i}", null);
        }

        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var cache = new TreeCache(connection, root, new TreeCacheOptions { MaxNodes = 3 });
        var events = RecordEvents(cache);
        await cache.StartAsync();
        Assert.Equal(3, cache.Count);

        var cachedChild = cache.Snapshot().Keys.First(p => p != root);
        await writer.CreateAsync(root + "/more", null);
        await writer.SetDataAsync(cachedChild, Bytes("still updated"));
        await events.WaitAsync(e => e.Any(x => x.Kind == "Changed"), "the change of a cached node");
        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGet(root + "/more", out _));
    }

    [Fact]
    public async Task PipelinedChangesAreAppliedInOrderAndNeverGoBackInTime()
    {
        // Watch events are issued straight from the client's dispatcher when nothing is queued, otherwise behind the
        // queued work (here: the subtree loads that re-created nodes cause); either way reads apply in event order.
        var root = zk.NewRoot(nameof(PipelinedChangesAreAppliedInOrderAndNeverGoBackInTime));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, null);
        await writer.CreateAsync(root + "/a", Bytes("0"));
        await writer.CreateAsync(root + "/b", Bytes("0"));
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var cache = new TreeCache(connection, root);
        var events = RecordEvents(cache);
        await cache.StartAsync();
        var initial = events.Items.Count;

        var writes = new List<Task>();
        for (var i = 1; i <= 60; i++)
        {
            writes.Add(writer.SetDataAsync(root + "/a", Bytes($"a{i}")));
            writes.Add(writer.SetDataAsync(root + "/b", Bytes($"b{i}")));
            if (i % 10 == 0)
            {
                writes.Add(writer.DeleteAsync(root + "/a"));
                writes.Add(writer.CreateAsync(root + "/a", Bytes($"a{i}+")));
            }
        }

        writes.Add(writer.SetDataAsync(root + "/a", Bytes("last")));
        writes.Add(writer.SetDataAsync(root + "/b", Bytes("last")));
        await Task.WhenAll(writes);

        await CacheMatchesServerAsync(cache, writer, root);
        var live = events.Items.Skip(initial).ToList();
        foreach (var path in new[] { root + "/a", root + "/b" })
        {
            // No event takes a node back to an older incarnation (czxid) or, within one, an older mzxid. (Equal is
            // possible: a read issued before a delete may already return the re-created node, reported again after
            // the deletion.)
            var seen = live.Where(e => e.Path == path).Select(e => e.New).ToList();
            Assert.NotEmpty(seen);
            NodeSnapshot? previous = null;
            foreach (var node in seen)
            {
                if (node is not null && previous is not null)
                {
                    Assert.False(
                        node.Stat.Czxid < previous.Stat.Czxid || (node.Stat.Czxid == previous.Stat.Czxid && node.Stat.Mzxid < previous.Stat.Mzxid),
                        $"{path} went back in time");
                }

                previous = node ?? previous;
            }

            Assert.Equal("last", Text(seen[^1]));
        }
    }

    private static async Task<CacheEvent> NextAsync(Recorder<CacheEvent> events, int skip, string kind, string path)
    {
        await events.WaitAsync(e => e.Skip(skip).Any(x => x.Kind == kind && x.Path == path), $"{kind} {path}");
        return events.Items.Skip(skip).Last(x => x.Kind == kind && x.Path == path);
    }
}
