namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>Precedes each operation and result of a multi; <c>{-1, true, -1}</c> ends the list.</summary>
internal readonly record struct MultiHeader(int Type, bool Done, int Err)
{
    public static readonly MultiHeader Terminator = new(-1, true, -1);

    public void Write(JuteWriter writer)
    {
        writer.WriteInt(Type);
        writer.WriteBool(Done);
        writer.WriteInt(Err);
    }

    public static MultiHeader Read(ref JuteReader reader) => new(reader.ReadInt(), reader.ReadBool(), reader.ReadInt());
}
