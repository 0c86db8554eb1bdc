using System.Buffers.Binary;
using System.Text;

namespace Recipes.ZooKeeper.Protocol;

/// <summary>
/// Reads jute's big-endian binary encoding from one frame. Every length is checked against what is left of the
/// frame, so a malformed reply raises <see cref="ZooKeeperProtocolException"/> instead of reading past the end or
/// allocating a huge buffer.
/// </summary>
internal ref struct JuteReader
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public JuteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public readonly int Position => _position;

    public int ReadInt()
    {
        Need(4, "int");
        var value = BinaryPrimitives.ReadInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public long ReadLong()
    {
        Need(8, "long");
        var value = BinaryPrimitives.ReadInt64BigEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    public bool ReadBool()
    {
        Need(1, "boolean");
        return _data[_position++] != 0;
    }

    public byte[]? ReadBuffer()
    {
        var length = ReadInt();
        if (length == -1)
        {
            return null;
        }

        CheckLength(length, "buffer");
        var value = _data.Slice(_position, length).ToArray();
        _position += length;
        return value;
    }

    public string? ReadString()
    {
        var length = ReadInt();
        if (length == -1)
        {
            return null;
        }

        CheckLength(length, "string");
        var value = Utf8.GetString(_data.Slice(_position, length));
        _position += length;
        return value;
    }

    /// <summary>A string that must not be null.</summary>
    public string ReadRequiredString(string what) =>
        ReadString() ?? throw new ZooKeeperProtocolException($"The server sent a null {what}.");

    public List<string> ReadStringVector()
    {
        var count = ReadInt();
        if (count == -1)
        {
            return [];
        }

        // Each element takes at least 4 bytes: a count larger than that cannot be honest.
        if (count < 0 || count > Remaining / 4)
        {
            throw new ZooKeeperProtocolException($"The server sent a vector of {count} strings with only {Remaining} bytes left in the frame.");
        }

        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(ReadRequiredString("vector element"));
        }

        return list;
    }

    public List<Acl> ReadAclVector()
    {
        var count = ReadInt();
        if (count == -1)
        {
            return [];
        }

        if (count < 0 || count > Remaining / 12)
        {
            throw new ZooKeeperProtocolException($"The server sent an ACL vector of {count} entries with only {Remaining} bytes left in the frame.");
        }

        var list = new List<Acl>(count);
        for (var i = 0; i < count; i++)
        {
            var perms = (Permissions)ReadInt();
            var scheme = ReadRequiredString("ACL scheme");
            var id = ReadRequiredString("ACL id");
            list.Add(new Acl(perms, new ZooKeeperId(scheme, id)));
        }

        return list;
    }

    public Stat ReadStat()
    {
        Need(Stat.WireSize, "Stat");
        return new Stat(
            Czxid: ReadLong(),
            Mzxid: ReadLong(),
            Ctime: ReadLong(),
            Mtime: ReadLong(),
            Version: ReadInt(),
            Cversion: ReadInt(),
            Aversion: ReadInt(),
            EphemeralOwner: ReadLong(),
            DataLength: ReadInt(),
            NumChildren: ReadInt(),
            Pzxid: ReadLong());
    }

    private readonly void Need(int count, string what)
    {
        if (Remaining < count)
        {
            throw new ZooKeeperProtocolException($"The server's frame ended early: reading a {what} needs {count} bytes, {Remaining} left.");
        }
    }

    private readonly void CheckLength(int length, string what)
    {
        if (length < 0 || length > Remaining)
        {
            throw new ZooKeeperProtocolException($"The server sent a {what} of length {length} with only {Remaining} bytes left in the frame.");
        }
    }
}
