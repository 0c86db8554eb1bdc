namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>The server's answer to <see cref="ConnectRequest"/>. A time-out of 0 means the session is invalid or expired.</summary>
internal sealed record ConnectResponse(int ProtocolVersion, int TimeOut, long SessionId, byte[] Password, bool ReadOnly)
{
    public static ConnectResponse Read(ref JuteReader reader)
    {
        var version = reader.ReadInt();
        var timeOut = reader.ReadInt();
        var sessionId = reader.ReadLong();
        var password = reader.ReadBuffer() ?? [];
        var readOnly = reader.Remaining > 0 && reader.ReadBool();
        return new ConnectResponse(version, timeOut, sessionId, password, readOnly);
    }

    public void Write(JuteWriter writer)
    {
        writer.WriteInt(ProtocolVersion);
        writer.WriteInt(TimeOut);
        writer.WriteLong(SessionId);
        writer.WriteBuffer(Password);
        writer.WriteBool(ReadOnly);
    }
}
