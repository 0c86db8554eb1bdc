using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Core.Tests.Watching.WatchingKit;

namespace Recipes.Core.Tests.Watching;

[Collection(WatchingEnsembleCollection.Name)]
public sealed class WatchingEnsembleTests(ZooKeeperEnsembleFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task WatchesStayArmedThroughALeaderKill()
    {
        var root = zk.NewRoot(nameof(WatchesStayArmedThroughALeaderKill));
        await using (var setup = await WriterAsync(zk.ConnectionString))
        {
            await setup.CreateAsync(root, Bytes("one"));
            await setup.CreateAsync(root + "/a", null);
        }

        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        var states = RecordStates(connection);
        await using var cache = new TreeCache(connection, root);
        var events = RecordEvents(cache);
        await using var watcher = new NodeWatcher(connection, root);
        await using var children = new ChildrenWatcher(connection, root);
        await cache.StartAsync();
        await watcher.StartAsync();
        await children.StartAsync();

        var leader = await zk.Ensemble.FindLeaderAsync();
        try
        {
            // Followers drop their clients while the ensemble elects a new leader, so every client reconnects.
            await zk.Ensemble.KillNodeAsync(leader);
            await zk.Ensemble.WaitForQuorumAsync(TimeSpan.FromSeconds(30));
            await states.WaitAsync(s => s.Any(c => c.State == ConnectionState.Reconnected), "the reconnection", TimeSpan.FromSeconds(30));

            await using var writer = await WriterAsync(zk.ConnectionString);
            await writer.SetDataAsync(root, Bytes("two"));
            await writer.CreateAsync(root + "/b", Bytes("B"));
            await writer.DeleteAsync(root + "/a");

            await watcher.WaitForChangeAsync(n => Text(n) == "two").WaitAsync(EventTimeout);
            await children.WaitForChangeAsync(c => c is ["b"]).WaitAsync(EventTimeout);
            await events.WaitAsync(e => e.Any(x => x.Kind == "Created" && x.Path == root + "/b") && e.Any(x => x.Kind == "Deleted" && x.Path == root + "/a"), "the cache events");
            await CacheMatchesServerAsync(cache, writer, root);
            output.WriteLine("States: " + string.Join(", ", states.Items));
        }
        finally
        {
            await zk.Ensemble.StartNodeAsync(leader);
            await zk.Ensemble.WaitForQuorumAsync(TimeSpan.FromSeconds(30));
        }
    }
}
