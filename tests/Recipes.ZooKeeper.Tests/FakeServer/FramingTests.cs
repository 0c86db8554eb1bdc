using System.Buffers.Binary;
using Recipes.ZooKeeper.Protocol;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>How the client's reader copes with the byte stream: torn and coalesced frames, bad lengths, bad xids, truncation.</summary>
public sealed class FramingTests
{
    private static readonly TimeSpan Timeout = FakeSession.Timeout;

    [Fact]
    public async Task A_reply_torn_into_one_byte_writes_is_parsed()
    {
        await using var session = await FakeSession.StartAsync();
        var pending = session.Client.GetDataAsync("/torn");

        var request = await session.Connection.ReadRequestAsync();
        Assert.Equal(OpCode.GetData, request.Type);
        Assert.Equal("/torn", request.Path);
        Assert.False(request.Watch);
        await session.Connection.ReactAsync(Reaction.Torn(Frames.Reply(request.Xid, body: Frames.DataBody("abc"u8.ToArray()))));

        var result = await pending.WaitAsync(Timeout);
        Assert.Equal("abc"u8.ToArray(), result.Data);
        Assert.Equal(Frames.SampleStat, result.Stat);
        Assert.Equal(ZooKeeperState.Connected, session.Client.State);
    }

    [Fact]
    public async Task Two_replies_in_one_write_complete_both_requests()
    {
        await using var session = await FakeSession.StartAsync();
        var first = session.Client.GetDataAsync("/one");
        var second = session.Client.GetDataAsync("/two");

        var requests = await session.Connection.ReadRequestsAsync(2);
        Assert.Equal(["/one", "/two"], requests.Select(r => r.Path));
        await session.Connection.SendAsync(Frames.Concat(
            Frames.Reply(requests[0].Xid, body: Frames.DataBody("1"u8.ToArray())),
            Frames.Reply(requests[1].Xid, body: Frames.DataBody(null))));

        Assert.Equal("1"u8.ToArray(), (await first.WaitAsync(Timeout)).Data);
        Assert.Null((await second.WaitAsync(Timeout)).Data);
    }

    [Fact]
    public async Task A_reply_larger_than_the_read_buffer_arrives_whole()
    {
        await using var session = await FakeSession.StartAsync();
        var data = new byte[300 * 1024];
        Random.Shared.NextBytes(data);
        var pending = session.Client.GetDataAsync("/big");

        var request = await session.Connection.ReadRequestAsync();
        await session.Connection.ReactAsync(Reaction.Torn(Frames.Reply(request.Xid, body: Frames.DataBody(data)), chunkSize: 7000, pause: TimeSpan.Zero));

        Assert.Equal(data, (await pending.WaitAsync(Timeout)).Data);
    }

    [Fact]
    public async Task Many_replies_that_straddle_read_buffer_boundaries_all_match()
    {
        await using var session = await FakeSession.StartAsync();
        const int Count = 60;
        var tasks = Enumerable.Range(0, Count).Select(i => session.Client.GetDataAsync($"/n{i}")).ToList();

        var requests = await session.Connection.ReadRequestsAsync(Count);
        // ~3 KB per reply, odd sizes, all in one write: frames cross the client's 64 KiB buffer at arbitrary offsets.
        var replies = requests.Select((r, i) => Frames.Reply(r.Xid, body: Frames.DataBody(Enumerable.Repeat((byte)i, 3000 + (i * 37)).ToArray())));
        await session.Connection.SendAsync(Frames.Concat([.. replies]));

        for (var i = 0; i < Count; i++)
        {
            var result = await tasks[i].WaitAsync(Timeout);
            Assert.Equal(3000 + (i * 37), result.Data!.Length);
            Assert.All(result.Data, b => Assert.Equal((byte)i, b));
        }
    }

    [Fact]
    public async Task A_negative_frame_length_fails_the_request_and_the_client_reconnects_to_the_same_session()
    {
        await using var session = await FakeSession.StartAsync();

        // A first reply carries a zxid, so the reconnect must report it as lastZxidSeen.
        var warmUp = session.Client.GetDataAsync("/a");
        var request = await session.Connection.ReadRequestAsync();
        await session.Connection.ReplyAsync(request, Frames.DataBody([1]), zxid: 0x55);
        await warmUp.WaitAsync(Timeout);

        var pending = session.Client.GetDataAsync("/b");
        await session.Connection.ReadRequestAsync();
        await session.Connection.ReactAsync(Reaction.Garbage([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));

        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => pending.WaitAsync(Timeout));
        Assert.Equal("/b", loss.Path);
        var protocol = Assert.IsType<ZooKeeperProtocolException>(loss.InnerException);
        Assert.Contains("length -1", protocol.Message, StringComparison.Ordinal);

        await session.States.WaitForAsync(ZooKeeperState.Connecting);
        var second = await session.AcceptReconnectAsync();
        Assert.Equal(0x55, second.ConnectRequest.LastZxidSeen);
        Assert.Equal(30_000, second.ConnectRequest.TimeOut);

        // The new connection works.
        var after = session.Client.ExistsAsync("/c");
        var exists = await second.ReadRequestAsync();
        Assert.Equal(OpCode.Exists, exists.Type);
        await second.ReplyAsync(exists, Frames.StatBody());
        Assert.Equal(Frames.SampleStat, await after.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_frame_longer_than_MaxIncomingFrameSize_fails_the_request_and_reconnects()
    {
        await using var session = await FakeSession.StartAsync(o => o.MaxIncomingFrameSize = 64 * 1024);
        var pending = session.Client.GetDataAsync("/big");
        await session.Connection.ReadRequestAsync();
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, (64 * 1024) + 1);
        await session.Connection.SendAsync(header);

        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => pending.WaitAsync(Timeout));
        var protocol = Assert.IsType<ZooKeeperProtocolException>(loss.InnerException);
        Assert.Contains("65537", protocol.Message, StringComparison.Ordinal);
        Assert.Contains("MaxIncomingFrameSize", protocol.Message, StringComparison.Ordinal);
        await session.AcceptReconnectAsync();
    }

    [Fact]
    public async Task A_two_gigabyte_frame_length_is_rejected_without_allocating_it()
    {
        await using var session = await FakeSession.StartAsync();
        var pending = session.Client.GetDataAsync("/huge");
        await session.Connection.ReadRequestAsync();

        var before = GC.GetTotalAllocatedBytes(precise: true);
        await session.Connection.SendAsync([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => pending.WaitAsync(Timeout));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("2147483647", loss.InnerException!.Message, StringComparison.Ordinal);
        Assert.True(allocated < 256L * 1024 * 1024, $"{allocated} bytes were allocated while rejecting the frame.");
        await session.AcceptReconnectAsync();
    }

    [Fact]
    public async Task Text_instead_of_a_frame_is_a_protocol_error()
    {
        await using var session = await FakeSession.StartAsync();
        var pending = session.Client.SyncAsync("/x");
        await session.Connection.ReadRequestAsync();
        await session.Connection.ReactAsync(Reaction.Garbage());

        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => pending.WaitAsync(Timeout));
        Assert.IsType<ZooKeeperProtocolException>(loss.InnerException);
        await session.AcceptReconnectAsync();
    }

    [Fact]
    public async Task A_reply_out_of_order_is_connection_loss_for_every_pending_request()
    {
        await using var session = await FakeSession.StartAsync();
        var first = session.Client.GetDataAsync("/first");
        var second = session.Client.GetDataAsync("/second");
        var requests = await session.Connection.ReadRequestsAsync(2);

        // Answer the second request first.
        await session.Connection.ReplyAsync(requests[1], Frames.DataBody([2]));

        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => first.WaitAsync(Timeout));
        Assert.Contains("out of order", loss.Message, StringComparison.Ordinal);
        Assert.Contains($"xid {requests[1].Xid}, expected {requests[0].Xid}", loss.Message, StringComparison.Ordinal);
        Assert.IsType<ZooKeeperProtocolException>(loss.InnerException);
        var secondLoss = await Assert.ThrowsAsync<ConnectionLossException>(() => second.WaitAsync(Timeout));
        Assert.Contains("out of order", secondLoss.Message, StringComparison.Ordinal);
        await session.AcceptReconnectAsync();
    }

    [Fact]
    public async Task A_reply_while_nothing_is_pending_drops_the_connection()
    {
        await using var session = await FakeSession.StartAsync();
        await session.Connection.SendAsync(Frames.Reply(xid: 77, body: Frames.StatBody()));

        await session.States.WaitForAsync(ZooKeeperState.Connecting);
        Assert.Contains(session.Logs.Messages, m => m.Contains("no request was pending", StringComparison.Ordinal));
        await session.AcceptReconnectAsync();
    }

    [Fact]
    public async Task A_truncated_stat_is_connection_loss_with_the_protocol_error_inside()
    {
        await using var session = await FakeSession.StartAsync();
        var pending = session.Client.GetDataAsync("/short");
        var request = await session.Connection.ReadRequestAsync();

        // A complete frame whose body stops 48 bytes into the 68-byte Stat.
        var full = Frames.Reply(request.Xid, body: Frames.DataBody("abc"u8.ToArray()));
        var truncated = full[..^20];
        BinaryPrimitives.WriteInt32BigEndian(truncated, truncated.Length - 4);
        await session.Connection.SendAsync(truncated);

        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => pending.WaitAsync(Timeout));
        var protocol = Assert.IsType<ZooKeeperProtocolException>(loss.InnerException);
        Assert.Contains("Stat", protocol.Message, StringComparison.Ordinal);
        await session.AcceptReconnectAsync();
    }

    [Fact]
    public async Task An_error_reply_has_no_body_and_extra_bytes_are_ignored()
    {
        await using var session = await FakeSession.StartAsync();
        var missing = session.Client.GetDataAsync("/missing");
        var request = await session.Connection.ReadRequestAsync();
        await session.Connection.SendAsync(Frames.Frame(w =>
        {
            new Protocol.Records.ReplyHeader(request.Xid, 0x10, ErrorCode.NoNode).Write(w);
            w.WriteInt(12345);
        }));

        var error = await Assert.ThrowsAsync<NoNodeException>(() => missing.WaitAsync(Timeout));
        Assert.Equal("/missing", error.Path);

        var exists = session.Client.ExistsAsync("/missing");
        var existsRequest = await session.Connection.ReadRequestAsync();
        await session.Connection.ReplyAsync(existsRequest, err: ErrorCode.NoNode);
        Assert.Null(await exists.WaitAsync(Timeout));
        Assert.Equal(ZooKeeperState.Connected, session.Client.State);
    }

    [Fact]
    public async Task The_server_closing_mid_frame_is_connection_loss()
    {
        await using var session = await FakeSession.StartAsync();
        var pending = session.Client.GetDataAsync("/cut");
        var request = await session.Connection.ReadRequestAsync();
        await session.Connection.ReactAsync(Reaction.CloseAfter(Frames.Reply(request.Xid, body: Frames.DataBody([1, 2, 3])), count: 10));

        var loss = await Assert.ThrowsAsync<ConnectionLossException>(() => pending.WaitAsync(Timeout));
        Assert.Equal("/cut", loss.Path);
        await session.AcceptReconnectAsync();
    }
}
