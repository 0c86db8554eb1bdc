namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>delete and check: a path and a version.</summary>
internal sealed record PathVersionRequest(string Path, int Version) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Version);
    }
}
