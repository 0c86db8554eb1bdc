namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>addAuth (xid -4). The credentials are never logged.</summary>
internal sealed record AuthPacket(int Type, string Scheme, byte[] Auth) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Type);
        writer.WriteString(Scheme);
        writer.WriteBuffer(Auth);
    }

    public override string ToString() => $"AuthPacket {{ Scheme = {Scheme} }}";
}
