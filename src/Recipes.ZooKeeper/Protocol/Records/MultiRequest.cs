namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>A multi: each operation as a header and its record, then the terminator.</summary>
internal sealed record MultiRequest(IReadOnlyList<(OpCode Type, IRequestRecord Record)> Operations) : IRequestRecord
{
    public void Write(JuteWriter writer)
    {
        foreach (var (type, record) in Operations)
        {
            new MultiHeader((int)type, false, -1).Write(writer);
            record.Write(writer);
        }

        MultiHeader.Terminator.Write(writer);
    }
}
