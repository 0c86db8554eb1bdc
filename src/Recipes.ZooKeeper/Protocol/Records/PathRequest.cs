namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>getACL, sync, getEphemerals and getAllChildrenNumber: a path only.</summary>
internal sealed record PathRequest(string Path) : IRequestRecord
{
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}
