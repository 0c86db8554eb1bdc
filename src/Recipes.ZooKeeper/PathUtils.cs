namespace Recipes.ZooKeeper;

/// <summary>ZooKeeper path rules (<c>PathUtils.validatePath</c>) and small path helpers.</summary>
public static class PathUtils
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the problem if <paramref name="path"/> is not a valid znode path.</summary>
    /// <param name="path">The path.</param>
    /// <param name="sequential">True for a sequential create, where a trailing '/' is allowed (the server appends the suffix).</param>
    public static void Validate(string path, bool sequential = false)
    {
        var problem = Check(path, sequential);
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid ZooKeeper path '{Printable(path)}': {problem}", nameof(path));
        }
    }

    /// <summary>Whether <paramref name="path"/> is a valid znode path.</summary>
    public static bool IsValid(string? path, bool sequential = false) => path is not null && Check(path, sequential) is null;

    /// <summary>Joins a parent path and a child name (or relative path).</summary>
    public static string Combine(string parent, string child)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(child);
        child = child.TrimStart('/');
        if (child.Length == 0)
        {
            return parent;
        }

        return parent.EndsWith('/') ? parent + child : parent + "/" + child;
    }

    /// <summary>The parent of a path ("/" for top-level nodes, null for "/").</summary>
    public static string? GetParent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "/")
        {
            return null;
        }

        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>The last segment of a path ("" for "/").</summary>
    public static string GetNodeName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path[(slash + 1)..];
    }

    /// <summary>Returns null when valid, else a sentence saying what is wrong.</summary>
    internal static string? Check(string? path, bool sequential)
    {
        if (path is null)
        {
            return "the path is null.";
        }

        // The server appends the sequence number: validate the path as if a digit followed (as the Java client does).
        if (sequential)
        {
            return Check(path + "1", sequential: false);
        }

        if (path.Length == 0)
        {
            return "the path is empty.";
        }

        if (path[0] != '/')
        {
            return "a path must start with '/'.";
        }

        if (path.Length == 1)
        {
            return null;
        }

        if (path[^1] == '/')
        {
            return "a path must not end with '/'.";
        }

        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == '/')
            {
                var length = i - segmentStart;
                if (length == 0 && i != path.Length)
                {
                    return $"empty segment ('//') at index {i}.";
                }

                if ((length == 1 && path[segmentStart] == '.') || (length == 2 && path[segmentStart] == '.' && path[segmentStart + 1] == '.'))
                {
                    return $"relative segment '{path.Substring(segmentStart, length)}' is not allowed.";
                }

                segmentStart = i + 1;
                continue;
            }

            var c = path[i];
            if (c == '\0')
            {
                return $"null character at index {i}.";
            }

            if (c <= '\u001f' || (c >= '\u007f' && c <= '\u009f') || (c >= '\ud800' && c <= '\uf8ff') || (c >= '\ufff0' && c <= '\uffff'))
            {
                return $"invalid character U+{(int)c:X4} at index {i}.";
            }
        }

        return null;
    }

    private static string Printable(string? path)
    {
        if (path is null)
        {
            return "(null)";
        }

        var chars = path.Select(c => char.IsControl(c) ? '?' : c).ToArray();
        return new string(chars);
    }
}
