namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>Precedes every request after the handshake.</summary>
internal readonly record struct RequestHeader(int Xid, OpCode Type)
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Xid);
        writer.WriteInt((int)Type);
    }

    public static RequestHeader Read(ref JuteReader reader) => new(reader.ReadInt(), (OpCode)reader.ReadInt());
}
