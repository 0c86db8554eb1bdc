using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;
using Recipes.ZooKeeper.Tests.FakeServer;

namespace Recipes.ZooKeeper.Tests.Unit;

/// <summary>Every jute record against exact bytes (from the protocol reference where it gives them) and back.</summary>
public sealed class RecordTests
{
    private static readonly string OpenAcl = $"00000001 0000001f {Hex.Str("world")} {Hex.Str("anyone")}";

    [Fact]
    public void ConnectRequest_for_a_new_6000_ms_session_matches_the_Java_client_byte_for_byte()
    {
        var bytes = Hex.Written(new ConnectRequest(0, 0, 6000, 0, new byte[16], false));

        Assert.Equal(45, bytes.Length);
        Assert.Equal(Hex.Of("00000000 0000000000000000 00001770 0000000000000000 00000010" + new string('0', 32) + " 00"), Hex.Of(bytes));
    }

    [Fact]
    public void ConnectRequest_round_trips_and_tolerates_a_missing_readOnly_byte()
    {
        var password = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        var original = new ConnectRequest(0, 0x92, 30_000, 0x0100_0008_3f9f_0000, password, true);
        var bytes = Hex.Written(original);

        var reader = new JuteReader(bytes);
        var read = ConnectRequest.Read(ref reader);
        Assert.Equal((original.ProtocolVersion, original.LastZxidSeen, original.TimeOut, original.SessionId, original.ReadOnly),
            (read.ProtocolVersion, read.LastZxidSeen, read.TimeOut, read.SessionId, read.ReadOnly));
        Assert.Equal(password, read.Password);

        var old = new JuteReader(bytes.AsSpan(0, bytes.Length - 1));
        Assert.False(ConnectRequest.Read(ref old).ReadOnly);
    }

    [Fact]
    public void ConnectResponse_has_37_bytes_and_36_without_readOnly()
    {
        var password = Hex.Bytes("93f5 0102 0304 0506 0708 090a 0b0c 0b41");
        var bytes = Hex.Written(new ConnectResponse(0, 30_000, 0x0100_0008_3f9f_0000, password, false).Write);

        Assert.Equal(Hex.Of("00000000 00007530 010000083f9f0000 00000010 93f50102030405060708090a0b0c0b41 00"), Hex.Of(bytes));
        var reader = new JuteReader(bytes);
        var full = ConnectResponse.Read(ref reader);
        Assert.Equal((30_000, 0x0100_0008_3f9f_0000L, false), (full.TimeOut, full.SessionId, full.ReadOnly));
        Assert.Equal(password, full.Password);

        var shortReader = new JuteReader(bytes.AsSpan(0, 36));
        Assert.False(ConnectResponse.Read(ref shortReader).ReadOnly);

        var readOnly = Hex.Written(new ConnectResponse(0, 4000, 1, password, true).Write);
        var readOnlyReader = new JuteReader(readOnly);
        Assert.True(ConnectResponse.Read(ref readOnlyReader).ReadOnly);
    }

    [Fact]
    public void RequestHeader_and_ReplyHeader_round_trip()
    {
        var request = Hex.Written(new RequestHeader(-2, OpCode.Ping).Write);
        Assert.Equal(Hex.Of("fffffffe 0000000b"), Hex.Of(request));
        var requestReader = new JuteReader(request);
        Assert.Equal(new RequestHeader(-2, OpCode.Ping), RequestHeader.Read(ref requestReader));

        var reply = Hex.Written(new ReplyHeader(7, 0x1122334455667788, ErrorCode.NoNode).Write);
        Assert.Equal(ReplyHeader.Size, reply.Length);
        Assert.Equal(Hex.Of("00000007 1122334455667788 ffffff9b"), Hex.Of(reply));
        var replyReader = new JuteReader(reply);
        Assert.Equal(new ReplyHeader(7, 0x1122334455667788, ErrorCode.NoNode), ReplyHeader.Read(ref replyReader));
    }

    [Fact]
    public void A_notification_frame_from_a_real_server_reads_as_NodeDataChanged()
    {
        var bytes = Hex.Bytes("ffffffff ffffffffffffffff 00000000 00000003 00000003 00000003 2f7432");
        var reader = new JuteReader(bytes);

        Assert.Equal(new ReplyHeader(-1, -1, ErrorCode.Ok), ReplyHeader.Read(ref reader));
        Assert.Equal(new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/t2"), WatcherEvent.Read(ref reader));
        Assert.Equal(0, reader.Remaining);

        var written = Hex.Written(w =>
        {
            new ReplyHeader(-1, -1, ErrorCode.Ok).Write(w);
            new WatcherEvent(EventType.NodeDataChanged, KeeperState.SyncConnected, "/t2").Write(w);
        });
        Assert.Equal(Hex.Of(bytes), Hex.Of(written));
    }

    [Fact]
    public void A_notification_without_a_path_is_a_protocol_error()
    {
        var bytes = Hex.Bytes("00000001 00000003 ffffffff");
        Assert.Throws<ZooKeeperProtocolException>(() =>
        {
            var reader = new JuteReader(bytes);
            WatcherEvent.Read(ref reader);
        });
    }

    [Fact]
    public void CreateRequest_writes_path_data_acl_flags()
    {
        Assert.Equal(
            Hex.Of($"{Hex.Str("/a")} 00000002 0102 {OpenAcl} 00000003"),
            Hex.Of(Hex.Written(new CreateRequest("/a", [1, 2], Acl.OpenUnsafe, 3))));
        Assert.Equal(
            Hex.Of($"{Hex.Str("/a")} ffffffff {OpenAcl} 00000000"),
            Hex.Of(Hex.Written(new CreateRequest("/a", null, Acl.OpenUnsafe, 0))));
    }

    [Fact]
    public void CreateTtlRequest_appends_the_ttl_as_a_long()
    {
        Assert.Equal(
            Hex.Of($"{Hex.Str("/t")} 00000000 {OpenAcl} 00000005 000000ffffffffff"),
            Hex.Of(Hex.Written(new CreateTtlRequest("/t", [], Acl.OpenUnsafe, 5, (1L << 40) - 1))));
    }

    [Fact]
    public void Path_records_write_their_fields_in_order()
    {
        Assert.Equal(Hex.Of($"{Hex.Str("/p")} ffffffff"), Hex.Of(Hex.Written(new PathVersionRequest("/p", -1))));
        Assert.Equal(Hex.Of($"{Hex.Str("/p")} 01"), Hex.Of(Hex.Written(new PathWatchRequest("/p", true))));
        Assert.Equal(Hex.Of($"{Hex.Str("/p")} 00"), Hex.Of(Hex.Written(new PathWatchRequest("/p", false))));
        Assert.Equal(Hex.Of(Hex.Str("/p")), Hex.Of(Hex.Written(new PathRequest("/p"))));
        Assert.Equal(Hex.Of($"{Hex.Str("/p")} 00000001"), Hex.Of(Hex.Written(new PathTypeRequest("/p", 1))));
    }

    [Fact]
    public void SetDataRequest_keeps_null_and_empty_data_apart()
    {
        Assert.Equal(Hex.Of($"{Hex.Str("/d")} ffffffff 00000004"), Hex.Of(Hex.Written(new SetDataRequest("/d", null, 4))));
        Assert.Equal(Hex.Of($"{Hex.Str("/d")} 00000000 ffffffff"), Hex.Of(Hex.Written(new SetDataRequest("/d", [], -1))));
        Assert.Equal(Hex.Of($"{Hex.Str("/d")} 00000001 ab 00000000"), Hex.Of(Hex.Written(new SetDataRequest("/d", [0xab], 0))));
    }

    [Fact]
    public void SetAclRequest_writes_path_acl_version()
    {
        Assert.Equal(
            Hex.Of($"{Hex.Str("/s")} {OpenAcl} 00000002"),
            Hex.Of(Hex.Written(new SetAclRequest("/s", Acl.OpenUnsafe, 2))));
    }

    [Fact]
    public void AuthPacket_writes_type_scheme_auth_and_never_prints_the_credentials()
    {
        var packet = new AuthPacket(0, "digest", "alice:hunter2"u8.ToArray());
        Assert.Equal(
            Hex.Of($"00000000 {Hex.Str("digest")} {Hex.Str("alice:hunter2")}"),
            Hex.Of(Hex.Written(packet)));
        Assert.DoesNotContain("hunter2", packet.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ZooKeeperAuthInfo.Digest("alice", "hunter2").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SetWatches_uses_three_lists_without_persistent_watches_and_five_with_them()
    {
        var legacy = new SetWatchesRequest(0x10, ["/d"], ["/e"], ["/c"], [], []);
        Assert.True(legacy.IsLegacy);
        Assert.Equal(OpCode.SetWatches, legacy.OpCode);
        Assert.Equal(
            Hex.Of($"0000000000000010 00000001 {Hex.Str("/d")} 00000001 {Hex.Str("/e")} 00000001 {Hex.Str("/c")}"),
            Hex.Of(Hex.Written(legacy)));

        var modern = new SetWatchesRequest(0x10, [], [], [], ["/p"], ["/r"]);
        Assert.False(modern.IsLegacy);
        Assert.Equal(OpCode.SetWatches2, modern.OpCode);
        Assert.Equal(
            Hex.Of($"0000000000000010 00000000 00000000 00000000 00000001 {Hex.Str("/p")} 00000001 {Hex.Str("/r")}"),
            Hex.Of(Hex.Written(modern)));
    }

    [Fact]
    public void MultiHeader_is_9_bytes_and_round_trips()
    {
        var bytes = Hex.Written(new MultiHeader(1, false, -1).Write);
        Assert.Equal(Hex.Of("00000001 00 ffffffff"), Hex.Of(bytes));
        var reader = new JuteReader(bytes);
        Assert.Equal(new MultiHeader(1, false, -1), MultiHeader.Read(ref reader));
        Assert.Equal(Hex.Of("ffffffff 01 ffffffff"), Hex.Of(Hex.Written(MultiHeader.Terminator.Write)));
    }

    [Fact]
    public void MultiRequest_writes_a_header_per_operation_then_the_terminator()
    {
        var multi = new MultiRequest(
        [
            (OpCode.Create, new CreateRequest("/a", null, Acl.OpenUnsafe, 0)),
            (OpCode.SetData, new SetDataRequest("/b", [1], 2)),
            (OpCode.Check, new PathVersionRequest("/c", 3)),
            (OpCode.Delete, new PathVersionRequest("/d", -1)),
        ]);

        Assert.Equal(
            Hex.Of(
                $"00000001 00 ffffffff {Hex.Str("/a")} ffffffff {OpenAcl} 00000000 " +
                $"00000005 00 ffffffff {Hex.Str("/b")} 00000001 01 00000002 " +
                $"0000000d 00 ffffffff {Hex.Str("/c")} 00000003 " +
                $"00000002 00 ffffffff {Hex.Str("/d")} ffffffff " +
                "ffffffff 01 ffffffff"),
            Hex.Of(Hex.Written(multi)));
    }

    [Fact]
    public void EmptyRequest_writes_nothing()
    {
        Assert.Empty(Hex.Written(EmptyRequest.Instance));
    }

    [Fact]
    public void Stat_fields_travel_in_declaration_order()
    {
        var stat = new Stat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        Assert.Equal(
            Hex.Of("0000000000000001 0000000000000002 0000000000000003 0000000000000004 00000005 00000006 00000007 " +
                   "0000000000000008 00000009 0000000a 000000000000000b"),
            Hex.Of(Hex.Written(w => w.WriteStat(stat))));
        var reader = new JuteReader(Hex.Written(w => w.WriteStat(Frames.SampleStat)));
        Assert.Equal(Frames.SampleStat, reader.ReadStat());
    }
}
