using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Tests.FakeServer;

namespace Recipes.ZooKeeper.Tests.Unit;

/// <summary>
/// The reader faces bytes from the network: every malformed input must be a <see cref="ZooKeeperProtocolException"/>
/// (never an IndexOutOfRange or a huge allocation).
/// </summary>
public sealed class JuteReaderTests
{
    [Fact]
    public void Reads_what_the_writer_wrote()
    {
        var bytes = Hex.Written(w =>
        {
            w.WriteInt(-5);
            w.WriteLong(long.MinValue);
            w.WriteBool(true);
            w.WriteBuffer([9, 8]);
            w.WriteBuffer((byte[]?)null);
            w.WriteBuffer([]);
            w.WriteString("/ä/b");
            w.WriteString(null);
            w.WriteString("");
            w.WriteStringVector(["x", "", "yz"]);
            w.WriteAclVector(Acl.CreatorAllWorldRead);
            w.WriteStat(Frames.SampleStat);
        });

        var reader = new JuteReader(bytes);
        Assert.Equal(-5, reader.ReadInt());
        Assert.Equal(long.MinValue, reader.ReadLong());
        Assert.True(reader.ReadBool());
        Assert.Equal([9, 8], reader.ReadBuffer()!);
        Assert.Null(reader.ReadBuffer());
        Assert.Equal([], reader.ReadBuffer()!);
        Assert.Equal("/ä/b", reader.ReadString());
        Assert.Null(reader.ReadString());
        Assert.Equal("", reader.ReadString());
        Assert.Equal(["x", "", "yz"], reader.ReadStringVector());
        Assert.Equal(Acl.CreatorAllWorldRead, reader.ReadAclVector());
        Assert.Equal(Frames.SampleStat, reader.ReadStat());
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void Any_non_zero_byte_is_true()
    {
        var reader = new JuteReader(new byte[] { 0, 1, 0x80 });
        Assert.False(reader.ReadBool());
        Assert.True(reader.ReadBool());
        Assert.True(reader.ReadBool());
    }

    [Fact]
    public void A_null_vector_reads_as_empty()
    {
        var reader = new JuteReader(Hex.Bytes("ffffffff ffffffff"));
        Assert.Empty(reader.ReadStringVector());
        Assert.Empty(reader.ReadAclVector());
    }

    [Fact]
    public void A_stat_is_68_bytes()
    {
        Assert.Equal(68, Hex.Written(w => w.WriteStat(Frames.SampleStat)).Length);
        Assert.Equal(68, Stat.WireSize);
    }

    [Theory]
    [InlineData("", "int")]
    [InlineData("000000", "int")]
    [InlineData("00000000000000", "long")]
    [InlineData("", "boolean")]
    [InlineData("000000", "buffer")]
    [InlineData("00000005 01020304", "buffer")]
    [InlineData("00000003 2f61", "string")]
    [InlineData("00000002 00000001 61", "strings")]
    [InlineData("00000001 0000001f 00000005 776f726c64", "acl")]
    [InlineData("00000000000000000000000000000000", "stat")]
    public void Truncated_input_is_a_protocol_error(string hex, string what)
    {
        var bytes = Hex.Bytes(hex);
        var error = Assert.Throws<ZooKeeperProtocolException>(() => Read(bytes, what));
        Assert.Contains("left", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fffffffe", "buffer")]
    [InlineData("80000000", "buffer")]
    [InlineData("7fffffff 00", "buffer")]
    [InlineData("fffffffe", "string")]
    [InlineData("7fffffff 2f", "string")]
    [InlineData("fffffffe", "strings")]
    [InlineData("7fffffff 00000000", "strings")]
    [InlineData("80000000", "acl")]
    [InlineData("7fffffff 00000000", "acl")]
    public void Negative_or_oversized_lengths_and_counts_are_protocol_errors_that_name_the_value(string hex, string what)
    {
        var bytes = Hex.Bytes(hex);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ZooKeeperProtocolException>(() => Read(bytes, what));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var value = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated while rejecting a length of {value}.");
    }

    [Fact]
    public void A_vector_count_that_cannot_fit_the_frame_is_rejected_before_reading_elements()
    {
        // Three strings claimed, room for two 4-byte headers only.
        var bytes = Hex.Bytes("00000003 00000000 00000000");
        var error = Assert.Throws<ZooKeeperProtocolException>(() => Read(bytes, "strings"));
        Assert.Contains("3 strings", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_element_in_a_string_vector_is_a_protocol_error()
    {
        var bytes = Hex.Bytes("00000001 ffffffff");
        Assert.Throws<ZooKeeperProtocolException>(() => Read(bytes, "strings"));
    }

    [Fact]
    public void A_required_string_that_is_null_is_a_protocol_error()
    {
        var bytes = Hex.Bytes("ffffffff");
        var error = Assert.Throws<ZooKeeperProtocolException>(() =>
        {
            var reader = new JuteReader(bytes);
            reader.ReadRequiredString("created path");
        });
        Assert.Contains("created path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_does_not_throw()
    {
        var reader = new JuteReader(Hex.Bytes("00000002 2fff"));
        Assert.Equal("/\ufffd", reader.ReadString());
    }

    private static void Read(byte[] bytes, string what)
    {
        var reader = new JuteReader(bytes);
        switch (what)
        {
            case "int":
                reader.ReadInt();
                break;
            case "long":
                reader.ReadLong();
                break;
            case "boolean":
                reader.ReadBool();
                break;
            case "buffer":
                reader.ReadBuffer();
                break;
            case "string":
                reader.ReadString();
                break;
            case "strings":
                reader.ReadStringVector();
                break;
            case "acl":
                reader.ReadAclVector();
                break;
            case "stat":
                reader.ReadStat();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(what), what, null);
        }
    }
}
