using System.Buffers.Binary;
using System.Text;

namespace Recipes.ZooKeeper.Protocol;

/// <summary>
/// Writes jute's big-endian binary encoding into a reusable, growable buffer. Frames are written with
/// <see cref="BeginFrame"/>/<see cref="EndFrame"/>, which patch the 4-byte length prefix.
/// </summary>
internal sealed class JuteWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private byte[] _buffer;
    private int _position;

    public JuteWriter(int initialCapacity = 4096) => _buffer = new byte[initialCapacity];

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    /// <summary>The number of bytes written.</summary>
    public int Length => _position;

    /// <summary>Forgets everything written (keeps the buffer).</summary>
    public void Reset() => _position = 0;

    /// <summary>Rolls back to an earlier length (drops a frame that turned out to be invalid).</summary>
    public void Truncate(int length) => _position = length;

    /// <summary>Reserves the 4-byte length prefix of a frame; returns its offset for <see cref="EndFrame"/>.</summary>
    public int BeginFrame()
    {
        var start = _position;
        Ensure(4);
        _position += 4;
        return start;
    }

    /// <summary>Patches the length prefix of the frame started at <paramref name="start"/>; returns the payload length.</summary>
    public int EndFrame(int start)
    {
        var length = _position - start - 4;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start), length);
        return length;
    }

    public void WriteInt(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void WriteLong(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void WriteBool(bool value)
    {
        Ensure(1);
        _buffer[_position++] = value ? (byte)1 : (byte)0;
    }

    /// <summary>A jute buffer: length then bytes; null is length -1.</summary>
    public void WriteBuffer(byte[]? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }

        WriteBuffer(value.AsSpan());
    }

    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_position));
        _position += value.Length;
    }

    /// <summary>A jute ustring: UTF-8 byte length then bytes; null is length -1.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }

        var max = Utf8.GetMaxByteCount(value.Length);
        Ensure(4 + max);
        var count = Utf8.GetBytes(value, _buffer.AsSpan(_position + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), count);
        _position += 4 + count;
    }

    public void WriteStringVector(IReadOnlyCollection<string>? values)
    {
        if (values is null)
        {
            WriteInt(-1);
            return;
        }

        WriteInt(values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    public void WriteAclVector(IReadOnlyList<Acl>? acl)
    {
        if (acl is null)
        {
            WriteInt(-1);
            return;
        }

        WriteInt(acl.Count);
        foreach (var entry in acl)
        {
            WriteInt((int)entry.Permissions);
            WriteString(entry.Id.Scheme);
            WriteString(entry.Id.Identity);
        }
    }

    public void WriteStat(Stat stat)
    {
        WriteLong(stat.Czxid);
        WriteLong(stat.Mzxid);
        WriteLong(stat.Ctime);
        WriteLong(stat.Mtime);
        WriteInt(stat.Version);
        WriteInt(stat.Cversion);
        WriteInt(stat.Aversion);
        WriteLong(stat.EphemeralOwner);
        WriteInt(stat.DataLength);
        WriteInt(stat.NumChildren);
        WriteLong(stat.Pzxid);
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _position >= count)
        {
            return;
        }

        var size = Math.Max(_buffer.Length * 2, _position + count);
        Array.Resize(ref _buffer, size);
    }
}
