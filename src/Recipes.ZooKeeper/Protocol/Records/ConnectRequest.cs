namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>The first frame a client sends (the trailing readOnly byte is part of it since 3.4).</summary>
internal sealed record ConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeOut, long SessionId, byte[] Password, bool ReadOnly) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(ProtocolVersion);
        writer.WriteLong(LastZxidSeen);
        writer.WriteInt(TimeOut);
        writer.WriteLong(SessionId);
        writer.WriteBuffer(Password);
        writer.WriteBool(ReadOnly);
    }

    public static ConnectRequest Read(ref JuteReader reader) =>
        new(reader.ReadInt(), reader.ReadLong(), reader.ReadInt(), reader.ReadLong(), reader.ReadBuffer() ?? [], reader.Remaining > 0 && reader.ReadBool());
}
