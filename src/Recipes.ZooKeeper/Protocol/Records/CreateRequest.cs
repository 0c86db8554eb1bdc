namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>create, create2 and createContainer.</summary>
internal sealed record CreateRequest(string Path, byte[]? Data, IReadOnlyList<Acl> Acl, int Flags) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteAclVector(Acl);
        writer.WriteInt(Flags);
    }
}
