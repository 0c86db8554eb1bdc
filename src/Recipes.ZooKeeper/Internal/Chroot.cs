namespace Recipes.ZooKeeper.Internal;

/// <summary>Maps client paths to server paths and back for a chroot ("" means none).</summary>
internal sealed class Chroot(string prefix)
{
    public string Prefix { get; } = prefix;

    public bool IsEmpty => Prefix.Length == 0;

    public string ToServer(string clientPath)
    {
        if (IsEmpty)
        {
            return clientPath;
        }

        return clientPath == "/" ? Prefix : Prefix + clientPath;
    }

    public string ToClient(string serverPath)
    {
        if (IsEmpty)
        {
            return serverPath;
        }

        if (serverPath == Prefix)
        {
            return "/";
        }

        if (serverPath.Length > Prefix.Length && serverPath[Prefix.Length] == '/' && serverPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return serverPath[Prefix.Length..];
        }

        // Outside the chroot (e.g. /zookeeper/...): keep it as the server sent it.
        return serverPath;
    }
}
