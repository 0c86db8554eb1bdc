using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Locks;

/// <summary>
/// Creates locks by name under <see cref="ZooKeeperLockOptions.BasePath"/> on the shared connection (register it with
/// <c>services.AddZooKeeperLocks()</c>). Locks are cheap objects: create one per use or keep them.
/// </summary>
public sealed class ZooKeeperLockProvider
{
    private readonly IZooKeeperConnection _connection;
    private readonly ZooKeeperLockOptions _options;

    /// <summary>Creates a provider.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="options">The options (validated here); null for the defaults.</param>
    public ZooKeeperLockProvider(IZooKeeperConnection connection, ZooKeeperLockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= new ZooKeeperLockOptions();
        options.Validate();
        _connection = connection;
        _options = options;
    }

    /// <summary>The path named locks live under.</summary>
    public string BasePath => _options.BasePath;

    /// <summary>The path of the lock called <paramref name="name"/>: <c>&lt;BasePath&gt;/&lt;name&gt;</c>.</summary>
    /// <param name="name">One path segment: not empty, no '/'.</param>
    public string GetPath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A lock name is one path segment; '{name}' contains '/'.", nameof(name));
        }

        var path = PathUtils.Combine(BasePath, name);
        PathUtils.Validate(path);
        return path;
    }

    /// <summary>A mutex named <paramref name="name"/>.</summary>
    /// <param name="name">One path segment.</param>
    public ZooKeeperMutex CreateMutex(string name) => new(_connection, GetPath(name), _options.NodeData);

    /// <summary>A read-write lock named <paramref name="name"/>.</summary>
    /// <param name="name">One path segment.</param>
    public ZooKeeperReadWriteLock CreateReadWriteLock(string name) => new(_connection, GetPath(name), _options.NodeData);

    /// <summary>A semaphore named <paramref name="name"/> with <paramref name="maxLeases"/> leases.</summary>
    /// <param name="name">One path segment.</param>
    /// <param name="maxLeases">How many leases may be held at once (every user of the name must agree).</param>
    public ZooKeeperSemaphore CreateSemaphore(string name, int maxLeases) => new(_connection, GetPath(name), maxLeases, _options.NodeData);

    /// <summary>A multi-lock over the mutexes named <paramref name="names"/>.</summary>
    /// <param name="names">The mutex names (at least one).</param>
    public ZooKeeperMultiLock CreateMultiLock(params IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return new ZooKeeperMultiLock(names.Select(CreateMutex).ToList());
    }
}
