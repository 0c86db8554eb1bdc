namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>exists, getData, getChildren and getChildren2: a path and a watch flag.</summary>
internal sealed record PathWatchRequest(string Path, bool Watch) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBool(Watch);
    }
}
