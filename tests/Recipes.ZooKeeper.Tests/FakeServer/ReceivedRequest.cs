using Recipes.ZooKeeper.Protocol;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>A request frame as the scripted server received it: the header and the raw body.</summary>
internal sealed record ReceivedRequest(int Xid, OpCode Type, byte[] Body)
{
    /// <summary>The leading ustring of the body: the server path for every path-based request.</summary>
    public string Path
    {
        get
        {
            var reader = new JuteReader(Body);
            return reader.ReadRequiredString("path");
        }
    }

    /// <summary>The watch flag of exists / getData / getChildren (the boolean after the path).</summary>
    public bool Watch
    {
        get
        {
            var reader = new JuteReader(Body);
            reader.ReadString();
            return reader.ReadBool();
        }
    }

    public override string ToString() => $"{Type} xid={Xid} ({Body.Length} body bytes)";
}
