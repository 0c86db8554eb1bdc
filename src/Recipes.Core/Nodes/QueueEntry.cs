namespace Recipes.Core;

/// <summary>
/// Our place in a <see cref="SequentialNodeQueue"/>: our node and the watch on it, from
/// <see cref="SequentialNodeQueue.JoinAsync"/> or <see cref="SequentialNodeQueue.Resume"/>.
/// </summary>
/// <remarks>
/// The caller owns the node: delete it when leaving the queue (usually
/// <c>connection.DeleteGuaranteed(entry.Node.Path, entry.Node.Session)</c>, or a direct delete first). That delete
/// also consumes the watch.
/// </remarks>
public sealed class QueueEntry
{
    private Task<IReadOnlyList<string>?>? _firstListing;

    internal QueueEntry(OwnedNodeWatch watch, Task<IReadOnlyList<string>?>? firstListing, bool exact = false)
    {
        Watch = watch;
        _firstListing = firstListing;
        FirstListingIsExact = exact;
    }

    /// <summary>Our node.</summary>
    public SequentialNode Node => Watch.Node;

    /// <summary>The watch on our node: its <see cref="OwnedNodeWatch.LostToken"/> fires if someone else deletes it.</summary>
    public OwnedNodeWatch Watch { get; }

    /// <summary>The listing sent together with the create, if not used yet (a listing served right after our node was created).</summary>
    internal Task<IReadOnlyList<string>?>? TakeFirstListing() => Interlocked.Exchange(ref _firstListing, null);

    /// <summary>
    /// Whether the first listing came with the create (served after it, before any later request of ours) or was derived
    /// from such a listing by <see cref="SequentialNodeQueue.NoteReleased"/>'s rule; not a listing made later.
    /// </summary>
    internal bool FirstListingIsExact { get; }

    /// <inheritdoc />
    public override string ToString() => $"QueueEntry({Node.Path}{(Watch.IsLost ? ", lost" : "")})";
}
