namespace Recipes.Configuration.Internal;

/// <summary>Maps znode paths below a root to configuration keys and back.</summary>
internal static class KeyMapping
{
    /// <summary>The key of <paramref name="path"/> below <paramref name="root"/>: the relative path with '/' as ':' ("" for the root).</summary>
    public static string ToKey(string root, string path)
    {
        if (path.Length == root.Length)
        {
            return "";
        }

        var start = root == "/" ? 1 : root.Length + 1;
        return path[start..].Replace('/', ':');
    }

    /// <summary>Joins a prefix and a key with ':' (either may be empty).</summary>
    public static string Combine(string? prefix, string key) =>
        string.IsNullOrEmpty(prefix) ? key : key.Length == 0 ? prefix : prefix + ":" + key;

    /// <summary>
    /// The znode path of a configuration key below <paramref name="root"/>: segments split on ':'.
    /// </summary>
    /// <exception cref="ArgumentException">The key is empty, has an empty segment, or a segment ZooKeeper cannot name.</exception>
    public static string ToPath(string root, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("A configuration key must not be empty.", nameof(key));
        }

        var segments = key.Split(':');
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.Contains('/', StringComparison.Ordinal) || segment.Any(char.IsControl))
            {
                throw new ArgumentException(
                    $"The configuration key '{key}' cannot be stored in ZooKeeper: each ':'-separated part must be non-empty, not '.' or '..', and hold no '/' or control characters.",
                    nameof(key));
            }
        }

        return (root == "/" ? "" : root) + "/" + string.Join('/', segments);
    }

    /// <summary>Whether <paramref name="key"/> is <paramref name="section"/> or below it (keys compare ignoring case).</summary>
    public static bool IsInSection(string key, string section) =>
        section.Length == 0
        || (key.StartsWith(section, StringComparison.OrdinalIgnoreCase)
            && (key.Length == section.Length || key[section.Length] == ':'));
}
