namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>The body of a notification (xid -1). The path is a server path.</summary>
internal sealed record WatcherEvent(EventType Type, KeeperState State, string Path)
{
    public static WatcherEvent Read(ref JuteReader reader) =>
        new((EventType)reader.ReadInt(), (KeeperState)reader.ReadInt(), reader.ReadRequiredString("event path"));

    public void Write(JuteWriter writer)
    {
        writer.WriteInt((int)Type);
        writer.WriteInt((int)State);
        writer.WriteString(Path);
    }
}
