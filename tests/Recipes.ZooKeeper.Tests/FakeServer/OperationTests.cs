using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>What operations put on the wire and how they read replies the scripted server shapes exactly.</summary>
public sealed class OperationTests
{
    private static readonly TimeSpan Timeout = FakeSession.Timeout;

    [Fact]
    public async Task Create_sends_create2_under_the_chroot_and_strips_it_from_the_created_path()
    {
        await using var session = await FakeSession.StartAsync(chroot: "/app");
        var created = session.Client.CreateAsync("/locks/", "x"u8.ToArray(), CreateMode.EphemeralSequential);

        var request = await session.Connection.ReadRequestAsync();
        Assert.Equal(OpCode.Create2, request.Type);
        var reader = new JuteReader(request.Body);
        Assert.Equal("/app/locks/", reader.ReadString());
        Assert.Equal("x"u8.ToArray(), reader.ReadBuffer());
        Assert.Equal(Acl.OpenUnsafe, reader.ReadAclVector());
        Assert.Equal((int)CreateMode.EphemeralSequential, reader.ReadInt());
        Assert.Equal(0, reader.Remaining);

        await session.Connection.ReplyAsync(request, w =>
        {
            w.WriteString("/app/locks/0000000006");
            w.WriteStat(Frames.SampleStat);
        });
        var result = await created.WaitAsync(Timeout);
        Assert.Equal("/locks/0000000006", result.Path);
        Assert.Equal(Frames.SampleStat, result.Stat);
    }

    [Fact]
    public async Task A_multi_reply_gives_one_result_per_operation_with_chroot_stripped()
    {
        await using var session = await FakeSession.StartAsync(chroot: "/app");
        var multi = session.Client.MultiAsync([Op.Create("/a", null), Op.SetData("/b", [1]), Op.Delete("/c"), Op.Check("/d", 4)]);

        var request = await session.Connection.ReadRequestAsync();
        Assert.Equal(OpCode.Multi, request.Type);
        var reader = new JuteReader(request.Body);
        Assert.Equal(new MultiHeader((int)OpCode.Create, false, -1), MultiHeader.Read(ref reader));
        Assert.Equal("/app/a", reader.ReadString());

        await session.Connection.ReplyAsync(request, w =>
        {
            new MultiHeader((int)OpCode.Create, false, 0).Write(w);
            w.WriteString("/app/a");
            new MultiHeader((int)OpCode.SetData, false, 0).Write(w);
            w.WriteStat(Frames.SampleStat);
            new MultiHeader((int)OpCode.Delete, false, 0).Write(w);
            new MultiHeader((int)OpCode.Check, false, 0).Write(w);
            MultiHeader.Terminator.Write(w);
        });

        var results = await multi.WaitAsync(Timeout);
        Assert.Equal<OpResult>(
            [new CreateOpResult("/a", null), new SetDataOpResult(Frames.SampleStat), new DeleteOpResult(), new CheckOpResult()],
            results);
    }

    [Fact]
    public async Task A_failed_multi_throws_MultiException_naming_the_first_failing_operation()
    {
        await using var session = await FakeSession.StartAsync();
        var multi = session.Client.MultiAsync([Op.Create("/a", null), Op.Create("/b", null), Op.Delete("/c")]);
        var request = await session.Connection.ReadRequestAsync();

        // The atomic-failure layout of a 3.8 server: header err 0, an error entry per operation.
        await session.Connection.ReplyAsync(request, w =>
        {
            foreach (var code in new[] { ErrorCode.Ok, ErrorCode.NodeExists, ErrorCode.RuntimeInconsistency })
            {
                new MultiHeader(-1, false, (int)code).Write(w);
                w.WriteInt((int)code);
            }

            MultiHeader.Terminator.Write(w);
        });

        var error = await Assert.ThrowsAsync<MultiException>(() => multi.WaitAsync(Timeout));
        Assert.Equal(ErrorCode.NodeExists, error.Code);
        Assert.Equal("/b", error.Path);
        Assert.Equal(1, error.FailedIndex);
        Assert.Equal([ErrorCode.Ok, ErrorCode.NodeExists, ErrorCode.RuntimeInconsistency], error.Results.Select(r => r.Code));
        Assert.Equal(ZooKeeperState.Connected, session.Client.State);
    }

    [Fact]
    public async Task A_multi_reply_with_more_results_than_operations_is_a_protocol_error()
    {
        await using var session = await FakeSession.StartAsync();
        var multi = session.Client.MultiAsync([Op.Delete("/a")]);
        var request = await session.Connection.ReadRequestAsync();
        await session.Connection.ReplyAsync(request, w =>
        {
            new MultiHeader((int)OpCode.Delete, false, 0).Write(w);
            new MultiHeader((int)OpCode.Delete, false, 0).Write(w);
            MultiHeader.Terminator.Write(w);
        });

        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => multi.WaitAsync(Timeout));
        Assert.IsType<ZooKeeperProtocolException>(loss.InnerException);
        await session.AcceptReconnectAsync();
    }

    [Fact]
    public async Task A_one_shot_watch_where_a_persistent_watch_is_set_is_served_locally()
    {
        await using var session = await FakeSession.StartAsync();
        var persistent = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var oneShot = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var added = session.Client.AddWatchAsync("/p", Watcher.Create(e => persistent.TrySetResult(e)), AddWatchMode.Persistent);
        var addWatch = await session.Connection.ReadRequestAsync();
        Assert.Equal(OpCode.AddWatch, addWatch.Type);
        Assert.Equal(0, new JuteReader(addWatch.Body[^4..]).ReadInt());
        await session.Connection.ReplyAsync(addWatch, w => w.WriteInt(0));
        await added.WaitAsync(Timeout);

        // ZOOKEEPER-4466: a one-shot watch on the server would downgrade the persistent one; the client must not ask.
        var read = session.Client.GetDataAsync("/p", Watcher.Create(e => oneShot.TrySetResult(e)));
        var getData = await session.Connection.ReadRequestAsync();
        Assert.False(getData.Watch);
        await session.Connection.ReplyAsync(getData, Frames.DataBody([1]));
        await read.WaitAsync(Timeout);

        await session.Connection.SendAsync(Frames.Notification(EventType.NodeDataChanged, "/p"));
        Assert.Equal(EventType.NodeDataChanged, (await oneShot.Task.WaitAsync(Timeout)).Type);
        Assert.Equal(EventType.NodeDataChanged, (await persistent.Task.WaitAsync(Timeout)).Type);
        Assert.Equal(1, session.Client.WatchCount);
    }

    [Fact]
    public async Task A_server_that_never_answers_the_handshake_is_abandoned_after_the_connect_timeout()
    {
        await using var session = FakeSession.Create(o => o.ConnectTimeout = TimeSpan.FromSeconds(1));
        var silent = await session.Server.AcceptAsync();
        Assert.Equal(0, silent.ConnectRequest.SessionId);

        Assert.Empty(await silent.WaitForClientCloseAsync());
        var second = await session.Server.AcceptAsync();
        Assert.Equal(0, second.ConnectRequest.SessionId);
        await second.SendConnectResponseAsync();
        await session.Client.WaitForConnectedAsync().WaitAsync(Timeout);
        Assert.Contains(session.Logs.Messages, m => m.Contains("longer than 1000 ms", StringComparison.Ordinal));
    }
}
