using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Locks.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Locks;

/// <summary>
/// A distributed read-write lock, node-compatible with Curator's <c>InterProcessReadWriteLock</c>: readers create
/// <c>_c_&lt;uuid&gt;-__READ__&lt;seq&gt;</c> and writers <c>_c_&lt;uuid&gt;-__WRIT__&lt;seq&gt;</c> under one parent, sharing
/// one sequence counter.
/// </summary>
/// <remarks>
/// Writer-preferring, in arrival order: a writer holds the lock when its node is first of all; a reader holds it when no
/// writer node sorts before its own, so a waiting writer blocks the readers that arrive after it. A waiting writer
/// watches its predecessor; a waiting reader watches the last writer before it (Curator watches the first writer,
/// which wakes readers for writers they still have to wait behind). Neither side is reentrant, and a reader asking
/// for the write lock while holding the read lock waits for itself: release the read lock first.
/// </remarks>
public sealed class ZooKeeperReadWriteLock
{
    /// <summary>Creates a read-write lock on <paramref name="path"/>.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="path">The lock's path (parents are created as containers).</param>
    /// <param name="nodeData">The data of our nodes; null for the local IP address, as Curator writes.</param>
    public ZooKeeperReadWriteLock(IZooKeeperConnection connection, string path, byte[]? nodeData = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        Path = path;
        var logger = connection.LoggerFactory.CreateLogger<ZooKeeperReadWriteLock>();
        ReadLock = new QueueLock(connection, path, LockNames.Read, LockNames.ReadWriteMarkers, ReadWritePredicates.Reader, nodeData, logger);
        WriteLock = new QueueLock(connection, path, LockNames.Write, LockNames.ReadWriteMarkers, ReadWritePredicates.Writer, nodeData, logger);
    }

    /// <summary>The lock's path.</summary>
    public string Path { get; }

    /// <summary>The shared side: any number of readers at once, while no writer holds or waits ahead of them.</summary>
    public IZooKeeperLock ReadLock { get; }

    /// <summary>The exclusive side: one writer, and no readers.</summary>
    public IZooKeeperLock WriteLock { get; }

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeperReadWriteLock({Path})";
}
