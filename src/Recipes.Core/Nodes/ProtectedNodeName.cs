namespace Recipes.Core;

/// <summary>
/// Curator-compatible protected node names, <c>_c_&lt;uuid&gt;-&lt;name&gt;</c>, and the ordering recipes use for
/// sequential participants, so Curator processes and ours can share one lock or election path.
/// </summary>
/// <remarks>
/// The uuid is a lower-case canonical 36-character GUID, unique per create; a create whose reply was lost is found
/// again by listing the parent for a child that starts with <see cref="NodePrefix"/>. Sequential nodes are ordered by
/// <see cref="SortKey(string, string)"/>: the text after the last occurrence of the recipe's marker (<c>lock-</c>,
/// <c>latch-</c>, <c>__READ__</c>, <c>__WRIT__</c>), i.e. the 10-digit sequence, compared ordinally, so the
/// random uuid never affects the order.
/// </remarks>
public static class ProtectedNodeName
{
    /// <summary>The prefix of every protected name.</summary>
    public const string Prefix = "_c_";

    /// <summary>The length of the id: a canonical GUID, <c>xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c>.</summary>
    public const int IdLength = 36;

    /// <summary>The length of <c>_c_&lt;uuid&gt;-</c>, the part a protected name adds in front of the original name.</summary>
    public const int ProtectedPrefixLength = 40;

    /// <summary>A new protection id: a random (version 4) GUID in lower-case canonical form.</summary>
    /// <remarks>
    /// The id only has to be unique among the creates under one parent, not secret, so its 122 random bits come from
    /// <see cref="Random.Shared"/> (seeded per thread from the operating system) rather than <see cref="Guid.NewGuid"/>,
    /// which on Linux reads <c>/dev/urandom</c>: one system call less on every lock acquire and election join.
    /// </remarks>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);

        // RFC 9562 version 4 (random) and variant 10xx, as Guid.NewGuid and Java's UUID.randomUUID produce.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    /// <summary>The prefix <c>_c_&lt;id&gt;-</c> every node protected with <paramref name="id"/> starts with.</summary>
    /// <param name="id">A protection id from <see cref="NewId"/>.</param>
    public static string NodePrefix(string id)
    {
        if (!IsId(id))
        {
            throw new ArgumentException($"'{id}' is not a protection id (a lower-case canonical GUID).", nameof(id));
        }

        return Prefix + id + "-";
    }

    /// <summary>The protected name <c>_c_&lt;id&gt;-&lt;name&gt;</c>.</summary>
    /// <param name="id">A protection id from <see cref="NewId"/>.</param>
    /// <param name="name">The original node name, e.g. <c>lock-</c> (the server appends the sequence).</param>
    public static string Build(string id, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return NodePrefix(id) + name;
    }

    /// <summary>Whether <paramref name="nodeName"/> (a name, not a path) is protected: <c>_c_</c>, a GUID, then <c>-</c>.</summary>
    public static bool IsProtected(string nodeName) =>
        nodeName is not null
        && nodeName.Length >= ProtectedPrefixLength
        && nodeName.StartsWith(Prefix, StringComparison.Ordinal)
        && nodeName[ProtectedPrefixLength - 1] == '-'
        && Guid.TryParseExact(nodeName.AsSpan(Prefix.Length, IdLength), "D", out _);

    /// <summary>The protection id of a protected name, or null if the name is not protected.</summary>
    public static string? ExtractId(string nodeName) =>
        IsProtected(nodeName) ? nodeName.Substring(Prefix.Length, IdLength) : null;

    /// <summary>The name without its protection (unchanged if it is not protected).</summary>
    public static string RemoveProtection(string nodeName) =>
        IsProtected(nodeName) ? nodeName[ProtectedPrefixLength..] : nodeName;

    /// <summary>
    /// The text after the last occurrence of <paramref name="marker"/> in <paramref name="nodeName"/> (the whole name if
    /// the marker does not occur): what sequential participants are sorted by, ordinally.
    /// </summary>
    /// <param name="nodeName">The node name.</param>
    /// <param name="marker">The recipe's marker, e.g. <c>lock-</c>.</param>
    public static string SortKey(string nodeName, string marker)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentException.ThrowIfNullOrEmpty(marker);
        var index = nodeName.LastIndexOf(marker, StringComparison.Ordinal);
        return index < 0 ? nodeName : nodeName[(index + marker.Length)..];
    }

    /// <summary>
    /// The sort key for recipes with several markers sharing one sequence counter (<c>__READ__</c> and
    /// <c>__WRIT__</c>): <see cref="SortKey(string, string)"/> applied for each marker in turn, as Curator does.
    /// </summary>
    public static string SortKey(string nodeName, IReadOnlyList<string> markers)
    {
        ArgumentNullException.ThrowIfNull(markers);
        var key = nodeName;
        foreach (var marker in markers)
        {
            key = SortKey(key, marker);
        }

        return key;
    }

    /// <summary>
    /// The names that contain at least one of <paramref name="markers"/>, ordered by
    /// <see cref="SortKey(string, IReadOnlyList{string})"/> (ordinal; ties by the whole name).
    /// </summary>
    public static IReadOnlyList<string> Sort(IEnumerable<string> nodeNames, IReadOnlyList<string> markers)
    {
        ArgumentNullException.ThrowIfNull(nodeNames);
        ArgumentNullException.ThrowIfNull(markers);
        if (markers.Count == 0)
        {
            throw new ArgumentException("At least one marker is needed.", nameof(markers));
        }

        foreach (var marker in markers)
        {
            ArgumentException.ThrowIfNullOrEmpty(marker, nameof(markers));
        }

        // Runs on every lock acquire and election join: no LINQ pipeline and no key strings, the keys are compared as
        // spans of the names.
        var sorted = new List<string>();
        foreach (var name in nodeNames)
        {
            if (HasMarker(name, markers))
            {
                sorted.Add(name);
            }
        }

        if (sorted.Count > 1)
        {
            sorted.Sort((a, b) =>
            {
                var byKey = SortKeySpan(a, markers).SequenceCompareTo(SortKeySpan(b, markers));
                return byKey != 0 ? byKey : string.CompareOrdinal(a, b);
            });
        }

        return sorted;
    }

    private static bool HasMarker(string name, IReadOnlyList<string> markers)
    {
        for (var i = 0; i < markers.Count; i++)
        {
            if (name.Contains(markers[i], StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><see cref="SortKey(string, IReadOnlyList{string})"/> as a span of the name (no allocation).</summary>
    private static ReadOnlySpan<char> SortKeySpan(string nodeName, IReadOnlyList<string> markers)
    {
        var key = nodeName.AsSpan();
        for (var i = 0; i < markers.Count; i++)
        {
            var index = key.LastIndexOf(markers[i].AsSpan(), StringComparison.Ordinal);
            if (index >= 0)
            {
                key = key[(index + markers[i].Length)..];
            }
        }

        return key;
    }

    private static bool IsId(string? id) =>
        id is { Length: IdLength }
        && Guid.TryParseExact(id, "D", out _)
        && !id.Any(char.IsAsciiLetterUpper);
}
