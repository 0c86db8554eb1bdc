using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Keeps a watch on one znode armed for as long as it lives and publishes the node's latest data and stat.
/// </summary>
/// <remarks>
/// <para>
/// While the node exists it is read with <c>getData</c> and a data watch; while it is missing, with <c>exists</c> and
/// a watch on its creation. Every watch event causes a re-read that re-arms the watch. So does every reconnection:
/// in the same session because events may have been missed while disconnected, and after a new session because the
/// old session's watches died with it. Re-reads run one at a time (requests arriving meanwhile coalesce into one more)
/// and never on the client's event dispatcher; failed re-reads are retried with backoff.
/// </para>
/// <para>
/// <see cref="Changed"/> fires only when the value actually changed: the node appeared, disappeared, or is another
/// version (its czxid or mzxid differ), so a delete and re-create is reported even when the data is the same. Changes
/// that happen between two reads are seen as one. Not raised for the first read.
/// </para>
/// </remarks>
public sealed class NodeWatcher : IAsyncDisposable
{
    private readonly RearmingWatch<NodeSnapshot> _watch;

    /// <summary>Creates a watcher; it starts reading on <see cref="StartAsync"/>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The znode to watch (it need not exist).</param>
    public NodeWatcher(IZooKeeperConnection connection, string path)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        Path = path;
        _watch = new RearmingWatch<NodeSnapshot>(
            connection,
            path,
            $"node watcher on '{path}'",
            (client, watcher, cancellationToken) => ReadAsync(client, path, watcher, cancellationToken),
            NodeSnapshot.SameVersion,
            connection.LoggerFactory.CreateLogger<NodeWatcher>());
        _watch.Changed += value => Changed?.Invoke(this, value);
    }

    /// <summary>The watched path.</summary>
    public string Path { get; }

    /// <summary>The node as last read; null while it does not exist (and before the first read).</summary>
    public NodeSnapshot? Current => _watch.Current;

    /// <summary>
    /// Raised with the new value (null: the node is gone) whenever it changed. Raised one at a time, in order, off the
    /// client's event dispatcher; a slow handler delays later re-reads. Exceptions are logged and swallowed.
    /// </summary>
    public event EventHandler<NodeSnapshot?>? Changed;

    /// <summary>
    /// Reads the node and arms the watch; completes once <see cref="Current"/> holds the first value. If that read
    /// fails, the exception is thrown here while the watcher keeps retrying in the background (dispose it to stop).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the first read (the watcher keeps running).</param>
    public Task StartAsync(CancellationToken cancellationToken = default) => _watch.StartAsync(cancellationToken);

    /// <summary>
    /// Completes with the first value, the current one included, for which <paramref name="predicate"/> is true; for
    /// example <c>WaitForChangeAsync(n =&gt; n is null, ct)</c> waits until the node is gone. Only values this watcher
    /// publishes are seen: states that lasted less than one re-read may be skipped.
    /// </summary>
    /// <param name="predicate">The condition; it runs on the watcher's refresh loop and must be quick.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task<NodeSnapshot?> WaitForChangeAsync(Func<NodeSnapshot?, bool> predicate, CancellationToken cancellationToken = default) =>
        _watch.WaitAsync(predicate, cancellationToken);

    /// <summary>Stops re-arming, unsubscribes from the connection and removes this watcher's watches.</summary>
    public ValueTask DisposeAsync() => _watch.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => $"NodeWatcher({Path}: {Current?.ToString() ?? "missing"})";

    private static async Task<NodeSnapshot?> ReadAsync(IZooKeeperClient client, string path, IWatcher watcher, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var result = await client.GetDataAsync(path, watcher, cancellationToken).ConfigureAwait(false);
                return new NodeSnapshot(path, result.Data, result.Stat);
            }
            catch (NoNodeException)
            {
            }

            // Missing: watch for its creation. If it was created in between, read it (the exists watch now watches data).
            if (await client.ExistsAsync(path, watcher, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
        }
    }
}
