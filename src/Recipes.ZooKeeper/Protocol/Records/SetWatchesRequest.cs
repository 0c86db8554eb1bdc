namespace Recipes.ZooKeeper.Protocol.Records;

/// <summary>
/// setWatches (101, three lists) or setWatches2 (105, five lists): re-registers watches after a reconnect. The
/// server fires at once for what changed after <see cref="RelativeZxid"/>.
/// </summary>
internal sealed record SetWatchesRequest(
    long RelativeZxid,
    IReadOnlyList<string> DataWatches,
    IReadOnlyList<string> ExistWatches,
    IReadOnlyList<string> ChildWatches,
    IReadOnlyList<string> PersistentWatches,
    IReadOnlyList<string> PersistentRecursiveWatches) : IRequestRecord
{
    /// <summary>Whether the old three-list form is enough (no persistent watches), which 3.4 and 3.5 servers also accept.</summary>
    public bool IsLegacy => PersistentWatches.Count == 0 && PersistentRecursiveWatches.Count == 0;

    public OpCode OpCode => IsLegacy ? OpCode.SetWatches : OpCode.SetWatches2;

    public void Write(JuteWriter writer)
    {
        writer.WriteLong(RelativeZxid);
        writer.WriteStringVector((IReadOnlyCollection<string>)DataWatches);
        writer.WriteStringVector((IReadOnlyCollection<string>)ExistWatches);
        writer.WriteStringVector((IReadOnlyCollection<string>)ChildWatches);
        if (!IsLegacy)
        {
            writer.WriteStringVector((IReadOnlyCollection<string>)PersistentWatches);
            writer.WriteStringVector((IReadOnlyCollection<string>)PersistentRecursiveWatches);
        }
    }
}
