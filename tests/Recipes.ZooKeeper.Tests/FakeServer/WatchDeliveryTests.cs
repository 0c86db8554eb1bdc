using Recipes.ZooKeeper.Protocol;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>Notifications on the wire: interleaved with replies, chroot-stripped, and delivered off the reader loop.</summary>
public sealed class WatchDeliveryTests
{
    private static readonly TimeSpan Timeout = FakeSession.Timeout;

    [Fact]
    public async Task A_notification_before_a_reply_reaches_the_registered_watcher()
    {
        await using var session = await FakeSession.StartAsync(chroot: "/app");
        var events = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = Watcher.Create(e => events.TrySetResult(e));

        var watched = session.Client.GetDataAsync("/w", watcher);
        var getData = await session.Connection.ReadRequestAsync();
        Assert.Equal("/app/w", getData.Path);
        Assert.True(getData.Watch);
        await session.Connection.ReplyAsync(getData, Frames.DataBody([1]));
        await watched.WaitAsync(Timeout);

        var exists = session.Client.ExistsAsync("/other");
        var existsRequest = await session.Connection.ReadRequestAsync();
        await session.Connection.SendAsync(Frames.Concat(
            Frames.Notification(EventType.NodeDataChanged, "/app/w"),
            Frames.Reply(existsRequest.Xid, body: Frames.StatBody())));

        Assert.Equal(Frames.SampleStat, await exists.WaitAsync(Timeout));
        var received = await events.Task.WaitAsync(Timeout);
        Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/w"), received);
        Assert.Equal(0, session.Client.WatchCount);
    }

    [Fact]
    public async Task The_exact_notification_bytes_of_a_real_server_are_understood()
    {
        await using var session = await FakeSession.StartAsync();
        var events = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watched = session.Client.ExistsAsync("/t2", Watcher.Create(e => events.TrySetResult(e)));
        var request = await session.Connection.ReadRequestAsync();
        Assert.Equal(OpCode.Exists, request.Type);
        await session.Connection.ReplyAsync(request, Frames.StatBody());
        await watched.WaitAsync(Timeout);

        await session.Connection.SendAsync(Convert.FromHexString("0000001f" + "ffffffff" + "ffffffffffffffff" + "00000000" + "00000003" + "00000003" + "00000003" + "2f7432"));

        Assert.Equal(new WatchedEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/t2"), await events.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_slow_watcher_does_not_delay_replies()
    {
        await using var session = await FakeSession.StartAsync();
        using var watcher = new BlockingWatcher();
        var watched = session.Client.GetDataAsync("/slow", watcher);
        var request = await session.Connection.ReadRequestAsync();
        await session.Connection.ReplyAsync(request, Frames.DataBody([1]));
        await watched.WaitAsync(Timeout);

        await session.Connection.SendAsync(Frames.Notification(EventType.NodeDataChanged, "/slow"));
        await watcher.Entered.WaitAsync(Timeout);

        var read = session.Client.GetDataAsync("/fast");
        var fast = await session.Connection.ReadRequestAsync();
        await session.Connection.ReplyAsync(fast, Frames.DataBody([2]));
        Assert.Equal([2], (await read.WaitAsync(Timeout)).Data);
        Assert.False(watcher.Finished, "The reply should complete while the watcher is still blocked.");
        watcher.Release();
    }

    /// <summary>Blocks in <see cref="Process"/> until released (30 s at most, so a failing test cannot hang the run).</summary>
    private sealed class BlockingWatcher : IWatcher, IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _finished;

        public Task Entered => _entered.Task;

        public bool Finished => _finished;

        public void Process(WatchedEvent @event)
        {
            _entered.TrySetResult();
            _release.Wait(TimeSpan.FromSeconds(30));
            _finished = true;
        }

        public void Release() => _release.Set();

        public void Dispose() => _release.Dispose();
    }
}
