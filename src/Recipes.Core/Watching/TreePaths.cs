namespace Recipes.Core;

/// <summary>Path arithmetic for a cached tree under a root path.</summary>
internal static class TreePaths
{
    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it.</summary>
    public static bool IsWithin(string root, string path)
    {
        if (root == "/")
        {
            return path.StartsWith('/');
        }

        return path.Length == root.Length
            ? string.Equals(path, root, StringComparison.Ordinal)
            : path.Length > root.Length && path[root.Length] == '/' && path.StartsWith(root, StringComparison.Ordinal);
    }

    /// <summary>The depth of <paramref name="path"/> below <paramref name="root"/> (0 for the root itself). The path must be within the root.</summary>
    public static int Depth(string root, string path)
    {
        if (path.Length == root.Length)
        {
            return 0;
        }

        var start = root == "/" ? 0 : root.Length;
        var depth = 0;
        for (var i = start; i < path.Length; i++)
        {
            if (path[i] == '/')
            {
                depth++;
            }
        }

        return depth;
    }

    /// <summary>The absolute depth of a path: 0 for "/", 1 for "/a", 2 for "/a/b".</summary>
    public static int AbsoluteDepth(string path) => path == "/" ? 0 : Depth("/", path);
}
