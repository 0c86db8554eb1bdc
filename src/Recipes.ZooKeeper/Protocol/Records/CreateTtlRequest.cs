namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>createTTL (needs extended types on the server).</summary>
internal sealed record CreateTtlRequest(string Path, byte[]? Data, IReadOnlyList<Acl> Acl, int Flags, long Ttl) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteAclVector(Acl);
        writer.WriteInt(Flags);
        writer.WriteLong(Ttl);
    }
}
