namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>Precedes every reply and notification. The body follows only when <see cref="Err"/> is 0.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, ErrorCode Err)
{
    public const int Size = 16;

    public static ReplyHeader Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadLong(), (ErrorCode)reader.ReadInt());

    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Xid);
        writer.WriteLong(Zxid);
        writer.WriteInt((int)Err);
    }
}
