using Recipes.ZooKeeper;

namespace Recipes.Locks;

/// <summary>Options of <see cref="ZooKeeperLockProvider"/>.</summary>
public sealed class ZooKeeperLockOptions
{
    /// <summary>The path every named lock lives under (relative to the connection's namespace). Default <c>/locks</c>.</summary>
    public string BasePath { get; set; } = "/locks";

    /// <summary>The data of our lock and lease nodes; null (the default) for the local IP address, as Curator writes.</summary>
    public byte[]? NodeData { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when an option is invalid.</summary>
    public void Validate()
    {
        if (!PathUtils.IsValid(BasePath))
        {
            throw new ArgumentException($"ZooKeeperLockOptions.BasePath '{BasePath}' is not a valid znode path (absolute, no empty segments, no trailing '/').", nameof(BasePath));
        }
    }
}
