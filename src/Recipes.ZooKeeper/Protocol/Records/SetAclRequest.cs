namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>setACL (the version is the ACL version).</summary>
internal sealed record SetAclRequest(string Path, IReadOnlyList<Acl> Acl, int Version) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteAclVector(Acl);
        writer.WriteInt(Version);
    }
}
