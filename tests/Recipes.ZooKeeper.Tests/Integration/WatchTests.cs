using Recipes.Testing.Xunit;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>Watches of every kind against a real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class WatchTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task One_shot_data_exist_and_child_watches_fire_once()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("oneshot"));
        var exist = Clients.Collect();
        Assert.Null(await client.ExistsAsync("/n", exist));
        await client.CreateAsync("/n", null);
        Assert.Equal(EventType.NodeCreated, (await exist.NextAsync()).Type);

        var data = Clients.Collect();
        var child = Clients.Collect();
        await client.GetDataAsync("/n", data);
        await client.GetChildrenAsync("/n", child);
        await client.SetDataAsync("/n", "x"u8.ToArray());
        Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/n"), await data.NextAsync());
        await client.CreateAsync("/n/c", null);
        Assert.Equal(new WatchedEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/n"), await child.NextAsync());

        // One-shot: later changes are not delivered; a sync round trip proves nothing is in flight.
        await client.SetDataAsync("/n", "y"u8.ToArray());
        await client.CreateAsync("/n/d", null);
        await client.SyncAsync("/n");
        await client.ExistsAsync("/n");
        Assert.False(data.TryNext(out _));
        Assert.False(child.TryNext(out _));
    }

    [Fact]
    public async Task Persistent_watch_keeps_firing_and_survives_a_one_shot_watch_on_the_same_path()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("persistent"));
        await client.CreateAsync("/n", null);
        var persistent = Clients.Collect();
        await client.AddWatchAsync("/n", persistent, AddWatchMode.Persistent);

        // A one-shot watch on the same path would downgrade the persistent one on a 3.8.0 server.
        var oneShot = Clients.Collect();
        await client.GetDataAsync("/n", oneShot);
        await client.SetDataAsync("/n", "1"u8.ToArray());
        Assert.Equal(EventType.NodeDataChanged, (await persistent.NextAsync()).Type);
        Assert.Equal(EventType.NodeDataChanged, (await oneShot.NextAsync()).Type);

        await client.SetDataAsync("/n", "2"u8.ToArray());
        Assert.Equal(EventType.NodeDataChanged, (await persistent.NextAsync()).Type);
        await client.CreateAsync("/n/c", null);
        Assert.Equal(EventType.NodeChildrenChanged, (await persistent.NextAsync()).Type);
        await client.DeleteAsync("/n/c");
        Assert.Equal(EventType.NodeChildrenChanged, (await persistent.NextAsync()).Type);
        await client.DeleteAsync("/n");
        Assert.Equal(EventType.NodeDeleted, (await persistent.NextAsync()).Type);
        await client.CreateAsync("/n", null);
        Assert.Equal(EventType.NodeCreated, (await persistent.NextAsync()).Type);
    }

    [Fact]
    public async Task Recursive_watch_sees_every_descendant_but_no_child_list_events()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("recursive"));
        await client.CreateAsync("/r", null);
        var events = Clients.Collect();
        await client.AddWatchAsync("/r", events, AddWatchMode.PersistentRecursive);

        await client.CreateAsync("/r/a", null);
        await client.CreateAsync("/r/a/b", null);
        await client.SetDataAsync("/r/a/b", "x"u8.ToArray());
        await client.DeleteAsync("/r/a/b");
        var seen = new List<WatchedEvent>();
        for (var i = 0; i < 4; i++)
        {
            seen.Add(await events.NextAsync());
        }

        Assert.Equal(
        [
            new WatchedEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/r/a"),
            new WatchedEvent(EventType.NodeCreated, KeeperState.SyncConnected, "/r/a/b"),
            new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/r/a/b"),
            new WatchedEvent(EventType.NodeDeleted, KeeperState.SyncConnected, "/r/a/b"),
        ], seen);
    }

    [Fact]
    public async Task Child_watch_under_a_recursive_watch_is_served_from_child_creations()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("emulated"));
        await client.CreateAsync("/r", null);
        var recursive = Clients.Collect();
        await client.AddWatchAsync("/r", recursive, AddWatchMode.PersistentRecursive);
        var child = Clients.Collect();
        await client.GetChildrenAsync("/r", child);

        await client.CreateAsync("/r/a", null);
        Assert.Equal(new WatchedEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/r"), await child.NextAsync());
        Assert.Equal(EventType.NodeCreated, (await recursive.NextAsync()).Type);

        // The recursive watch was not downgraded by the child watch.
        await client.CreateAsync("/r/b", null);
        Assert.Equal("/r/b", (await recursive.NextAsync()).Path);
    }

    [Fact]
    public async Task Removed_watches_stop_firing_and_leave_no_server_watch()
    {
        var root = zk.NewRoot("remove");
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, root);
        await client.CreateAsync("/n", null);
        var persistent = Clients.Collect();
        await client.AddWatchAsync("/n", persistent, AddWatchMode.Persistent);
        var data = Clients.Collect();
        await client.GetDataAsync("/n", data);

        await client.RemoveWatchesAsync("/n", persistent, WatcherType.Any);
        Assert.Equal(EventType.PersistentWatchRemoved, (await persistent.NextAsync()).Type);
        await client.RemoveWatchesAsync("/n", data, WatcherType.Data);
        Assert.Equal(EventType.DataWatchRemoved, (await data.NextAsync()).Type);
        Assert.Equal(0, client.WatchCount);
        await Assert.ThrowsAsync<NoWatcherException>(() => client.RemoveWatchesAsync("/n", data, WatcherType.Data));

        await client.SetDataAsync("/n", "x"u8.ToArray());
        await client.SyncAsync("/n");
        await client.ExistsAsync("/n");
        Assert.False(persistent.TryNext(out _));
        Assert.False(data.TryNext(out _));

        var watches = await zk.Server.SendFourLetterWordAsync("wchc");
        // wchc lists each session with the server paths it watches (an emptied session may stay listed, without paths).
        Assert.False(watches.Contains(root, StringComparison.Ordinal), watches);
    }

    [Fact]
    public async Task A_read_loop_watcher_is_called_while_the_dispatcher_is_busy_and_may_start_requests()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("readloop"));
        await client.CreateAsync("/n", "0"u8.ToArray());

        // A dispatcher watcher that blocks on its first event: the dispatcher delivers nothing else until released.
        using var release = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.AddWatchAsync("/n", Watcher.Create(_ =>
        {
            blocked.TrySetResult();
            release.Wait(Clients.Wait);
        }), AddWatchMode.Persistent);

        // The read-loop watcher reads the node for every change it is told of, from the read loop itself.
        var reads = System.Threading.Channels.Channel.CreateUnbounded<string>();
        var readLoopThreads = new System.Collections.Concurrent.ConcurrentBag<int>();
        await client.AddWatchAsync("/n", Watcher.CreateOnReadLoop(e =>
        {
            readLoopThreads.Add(Environment.CurrentManagedThreadId);
            if (e.Type == EventType.NodeDataChanged)
            {
                _ = client.GetDataAsync("/n").ContinueWith(
                    t => reads.Writer.TryWrite(System.Text.Encoding.UTF8.GetString(t.Result.Data!)),
                    TaskScheduler.Default);
            }
        }), AddWatchMode.Persistent);

        try
        {
            await client.SetDataAsync("/n", "1"u8.ToArray());
            await blocked.Task.WaitAsync(Clients.Wait);
            await client.SetDataAsync("/n", "2"u8.ToArray());
            await client.SetDataAsync("/n", "3"u8.ToArray());

            // All three changes reached the read-loop watcher (and its reads completed) while the dispatcher was stuck.
            using var timeout = new CancellationTokenSource(Clients.Wait);
            var seen = new List<string>();
            while (seen.Count < 3)
            {
                seen.Add(await reads.Reader.ReadAsync(timeout.Token));
            }

            Assert.Equal("3", seen[^1]);
            Assert.Equal(3, readLoopThreads.Count);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task A_throwing_read_loop_watcher_is_logged_and_the_connection_carries_on()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("readloop-throws"));
        await client.CreateAsync("/n", null);
        var thrown = 0;
        await client.AddWatchAsync("/n", Watcher.CreateOnReadLoop(_ =>
        {
            Interlocked.Increment(ref thrown);
            throw new InvalidOperationException("boom");
        }), AddWatchMode.Persistent);
        var collected = Clients.Collect();
        await client.AddWatchAsync("/n", collected, AddWatchMode.Persistent);

        await client.SetDataAsync("/n", "x"u8.ToArray());
        Assert.Equal(EventType.NodeDataChanged, (await collected.NextAsync()).Type);
        await client.SetDataAsync("/n", "y"u8.ToArray());
        Assert.Equal(EventType.NodeDataChanged, (await collected.NextAsync()).Type);

        Assert.Equal(2, Volatile.Read(ref thrown));
        Assert.Equal(ZooKeeperState.Connected, client.State);
        Assert.NotNull(await client.ExistsAsync("/n"));
    }
}
