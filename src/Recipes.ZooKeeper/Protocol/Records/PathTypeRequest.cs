namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>addWatch (mode), checkWatches and removeWatches (type): a path and an int.</summary>
internal sealed record PathTypeRequest(string Path, int Type) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt(Type);
    }
}
