using System.Globalization;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Core.Tests.Watching.WatchingKit;

namespace Recipes.Core.Tests.Watching;

[Collection(WatchingServerCollection.Name)]
public sealed class TreeCacheFaultTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task CatchesUpAfterAPartitionIncludingADeleteAndRecreate()
    {
        var root = zk.NewRoot(nameof(CatchesUpAfterAPartitionIncludingADeleteAndRecreate));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, null);
        await writer.CreateAsync(root + "/a", Bytes("A"));
        await writer.CreateAsync(root + "/b", Bytes("same"));
        await writer.CreateAsync(root + "/gone", Bytes("G"));
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var connection = await ConnectAsync(proxy.ConnectionString, output);
        var states = RecordStates(connection);
        await using var cache = new TreeCache(connection, root);
        var events = RecordEvents(cache);
        await cache.StartAsync();
        var initial = events.Count;
        Assert.True(cache.TryGet(root + "/b", out var originalB));
        var session = connection.CurrentSession!.SessionId;

        // Partition only this client; the watch's notifications for these changes are lost.
        proxy.Mode = FaultMode.Blackhole;
        await writer.SetDataAsync(root + "/a", Bytes("A2"));
        await writer.DeleteAsync(root + "/b");
        var recreated = await writer.CreateAsync(root + "/b", Bytes("same"));
        await writer.CreateAsync(root + "/new", Bytes("N"));
        await writer.DeleteAsync(root + "/gone");

        // Heal well within the session timeout; the reset makes the client reconnect (same session) at once.
        proxy.Heal();
        proxy.Reset();
        await states.WaitAsync(s => s.Any(c => c.State == ConnectionState.Reconnected), "the reconnection");
        Assert.Equal(session, connection.CurrentSession!.SessionId);
        Assert.DoesNotContain(states.Items, c => c.State == ConnectionState.Reconnected && c.IsNewSession);

        await CacheMatchesServerAsync(cache, writer, root);
        await events.WaitAsync(e => e.Skip(initial).Count() >= 5, "five events");
        var caughtUp = events.Items.Skip(initial).Select(e => e.Kind + " " + e.Path).ToList();
        output.WriteLine("After the partition: " + string.Join(", ", caughtUp));
        var bEvents = events.Items.Skip(initial).Where(e => e.Path == root + "/b").ToList();
        Assert.Equal(["Deleted", "Created"], bEvents.Select(e => e.Kind));
        Assert.Equal(originalB!.Stat.Czxid, bEvents[0].Old!.Stat.Czxid);
        Assert.Equal(recreated.Stat.Czxid, bEvents[1].New!.Stat.Czxid);
        Assert.Equal("same", Text(bEvents[1].New));
        Assert.Contains("Changed " + root + "/a", caughtUp);
        Assert.Contains("Created " + root + "/new", caughtUp);
        Assert.Contains("Deleted " + root + "/gone", caughtUp);
        Assert.Equal(5, caughtUp.Count);

        // And the watch still delivers live changes.
        await writer.SetDataAsync(root + "/new", Bytes("N2"));
        await events.WaitAsync(e => e.Any(x => x.Kind == "Changed" && x.Path == root + "/new"), "a live change after the partition");
    }

    [Fact]
    public async Task ReSynchronisesAfterSessionExpiry()
    {
        var root = zk.NewRoot(nameof(ReSynchronisesAfterSessionExpiry));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, null);
        await writer.CreateAsync(root + "/a", Bytes("A"));
        await writer.CreateAsync(root + "/b", Bytes("B"));
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        var states = RecordStates(connection);
        await using var cache = new TreeCache(connection, root);
        var events = RecordEvents(cache);
        await cache.StartAsync();

        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, connection.CurrentSession!.Client);
        await writer.SetDataAsync(root + "/a", Bytes("A2"));
        await writer.DeleteAsync(root + "/b");
        await writer.CreateAsync(root + "/c", Bytes("C"));
        await states.WaitAsync(s => s.Any(c => c.State == ConnectionState.Reconnected && c.IsNewSession), "a new session", TimeSpan.FromSeconds(20));
        await CacheMatchesServerAsync(cache, writer, root);

        // The watch was added again on the new session.
        await writer.CreateAsync(root + "/after", Bytes("X"));
        await events.WaitAsync(e => e.Any(x => x.Kind == "Created" && x.Path == root + "/after"), "a creation in the new session");
        await CacheMatchesServerAsync(cache, writer, root);
        Assert.Single(events.Items, e => e.Kind == "Deleted" && e.Path == root + "/b");
    }

    [Fact]
    public async Task DisposalLeavesNoWatchesOnTheServer()
    {
        var root = zk.NewRoot(nameof(DisposalLeavesNoWatchesOnTheServer));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, null);
        await writer.CreateAsync(root + "/a", Bytes("A"));
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        var baseline = await WatchCountAsync();

        var cache = new TreeCache(connection, root);
        var node = new NodeWatcher(connection, root + "/a");
        var missing = new NodeWatcher(connection, root + "/missing");
        var children = new ChildrenWatcher(connection, root);
        await cache.StartAsync();
        await node.StartAsync();
        await missing.StartAsync();
        await children.StartAsync();
        await EventuallyAsync(async () => await WatchCountAsync() > baseline, "the watches to be counted");
        output.WriteLine($"zk_watch_count: {baseline} before, {await WatchCountAsync()} while watching.");

        // The children watch on the root is served by the cache's persistent watch (3.8 mixed-watch bug), so it goes
        // first: the client keeps a persistent watch that a one-shot still relies on, and does not yet remove it on
        // the server once that one-shot goes too.
        await node.DisposeAsync();
        await missing.DisposeAsync();
        await children.DisposeAsync();
        await cache.DisposeAsync();

        await EventuallyAsync(async () => await WatchCountAsync() == baseline, "zk_watch_count back to " + baseline);
    }

    private async Task<int> WatchCountAsync()
    {
        var stats = await zk.Server.GetMonitorStatsAsync();
        return int.Parse(stats["zk_watch_count"], CultureInfo.InvariantCulture);
    }
}
