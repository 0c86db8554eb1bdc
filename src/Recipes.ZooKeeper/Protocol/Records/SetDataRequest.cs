namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>setData.</summary>
internal sealed record SetDataRequest(string Path, byte[]? Data, int Version) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data);
        writer.WriteInt(Version);
    }
}
