using Recipes.ZooKeeper.Protocol;

namespace Recipes.ZooKeeper.Tests.Unit;

public sealed class JuteWriterTests
{
    [Fact]
    public void Primitives_are_big_endian()
    {
        var bytes = Hex.Written(w =>
        {
            w.WriteInt(0x01020304);
            w.WriteInt(-1);
            w.WriteLong(0x0102030405060708);
            w.WriteBool(true);
            w.WriteBool(false);
        });

        Assert.Equal(Hex.Of("01020304 ffffffff 0102030405060708 01 00"), Hex.Of(bytes));
    }

    [Fact]
    public void Null_and_empty_buffers_and_strings_are_kept_apart()
    {
        var bytes = Hex.Written(w =>
        {
            w.WriteBuffer((byte[]?)null);
            w.WriteBuffer([]);
            w.WriteString(null);
            w.WriteString("");
        });

        Assert.Equal(Hex.Of("ffffffff 00000000 ffffffff 00000000"), Hex.Of(bytes));
    }

    [Fact]
    public void A_string_length_counts_utf8_bytes_not_chars()
    {
        Assert.Equal(Hex.Of("00000003 2fc3a9"), Hex.Of(Hex.Written(w => w.WriteString("/é"))));
    }

    [Fact]
    public void A_lone_surrogate_cannot_be_encoded()
    {
        var writer = new JuteWriter();
        Assert.ThrowsAny<ArgumentException>(() => writer.WriteString("/\ud800"));
    }

    [Fact]
    public void A_frame_length_excludes_the_prefix_and_frames_can_follow_each_other()
    {
        var writer = new JuteWriter(4);
        var first = writer.BeginFrame();
        writer.WriteInt(7);
        Assert.Equal(4, writer.EndFrame(first));
        var second = writer.BeginFrame();
        Assert.Equal(0, writer.EndFrame(second));

        Assert.Equal(Hex.Of("00000004 00000007 00000000"), Hex.Of(writer.WrittenSpan.ToArray()));
    }

    [Fact]
    public void The_buffer_grows_past_its_initial_capacity()
    {
        var writer = new JuteWriter(4);
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        writer.WriteBuffer(data);
        writer.WriteString(new string('x', 5000));

        var reader = new JuteReader(writer.WrittenSpan);
        Assert.Equal(data, reader.ReadBuffer());
        Assert.Equal(new string('x', 5000), reader.ReadString());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Truncate_and_Reset_drop_what_was_written()
    {
        var writer = new JuteWriter();
        writer.WriteInt(1);
        var mark = writer.Length;
        writer.WriteLong(2);
        writer.Truncate(mark);
        Assert.Equal(Hex.Of("00000001"), Hex.Of(writer.WrittenMemory.ToArray()));

        writer.Reset();
        Assert.Equal(0, writer.Length);
    }

    [Fact]
    public void Vectors_write_a_count_then_the_elements_and_null_as_minus_one()
    {
        var bytes = Hex.Written(w =>
        {
            w.WriteStringVector(["a", "bc"]);
            w.WriteStringVector(null);
            w.WriteAclVector([new Acl(Permissions.Read | Permissions.Admin, new ZooKeeperId("ip", "10.0.0.1"))]);
            w.WriteAclVector(null);
        });

        Assert.Equal(
            Hex.Of($"00000002 {Hex.Str("a")} {Hex.Str("bc")} ffffffff 00000001 00000011 {Hex.Str("ip")} {Hex.Str("10.0.0.1")} ffffffff"),
            Hex.Of(bytes));
    }
}
