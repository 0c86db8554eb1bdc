namespace Recipes.Core;

/// <summary>A parent's child names (sorted, ordinal) and the parent's czxid, as a <see cref="ChildrenWatcher"/> read them.</summary>
/// <param name="Names">The child names.</param>
/// <param name="ParentCzxid">The parent's czxid: a different one means the parent was deleted and re-created.</param>
internal sealed record ChildList(IReadOnlyList<string> Names, long ParentCzxid)
{
    /// <summary>Whether both are absent, or list the same names under the same incarnation of the parent.</summary>
    public static bool Same(ChildList? a, ChildList? b) =>
        a is null ? b is null : b is not null && a.ParentCzxid == b.ParentCzxid && a.Names.SequenceEqual(b.Names, StringComparer.Ordinal);
}
