using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Keeps a watch on one znode's child list armed for as long as it lives and publishes the latest list of child names.
/// </summary>
/// <remarks>
/// <para>
/// While the parent exists it is read with <c>getChildren</c> and a child watch; while it is missing, with
/// <c>exists</c> and a watch on its creation. Re-arming follows the rules of <see cref="NodeWatcher"/>: after every
/// event, every reconnection (same or new session) and, with backoff, every failure; one re-read at a time, coalesced,
/// never on the client's event dispatcher.
/// </para>
/// <para>
/// <see cref="Changed"/> fires when the set of names differs, or the parent appeared, disappeared or was re-created.
/// A child deleted and re-created between two reads leaves the list unchanged and is not reported (watch its data with
/// a <see cref="NodeWatcher"/> or use a <see cref="TreeCache"/> for that). Not raised for the first read.
/// </para>
/// </remarks>
public sealed class ChildrenWatcher : IAsyncDisposable
{
    private readonly RearmingWatch<ChildList> _watch;

    /// <summary>Creates a watcher; it starts reading on <see cref="StartAsync"/>.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The parent znode (it need not exist).</param>
    public ChildrenWatcher(IZooKeeperConnection connection, string path)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        Path = path;
        _watch = new RearmingWatch<ChildList>(
            connection,
            path,
            $"children watcher on '{path}'",
            (client, watcher, cancellationToken) => ReadAsync(client, path, watcher, cancellationToken),
            ChildList.Same,
            connection.LoggerFactory.CreateLogger<ChildrenWatcher>());
        _watch.Changed += value => Changed?.Invoke(this, value?.Names);
    }

    /// <summary>The watched parent path.</summary>
    public string Path { get; }

    /// <summary>The child names (sorted, ordinal) as last read; null while the parent does not exist (and before the first read).</summary>
    public IReadOnlyList<string>? Current => _watch.Current?.Names;

    /// <summary>
    /// Raised with the new list (null: the parent is gone) whenever it changed. Raised one at a time, in order, off the
    /// client's event dispatcher. Exceptions are logged and swallowed.
    /// </summary>
    public event EventHandler<IReadOnlyList<string>?>? Changed;

    /// <summary>
    /// Reads the child list and arms the watch; completes once <see cref="Current"/> holds the first value. If that read
    /// fails, the exception is thrown here while the watcher keeps retrying in the background (dispose it to stop).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the first read (the watcher keeps running).</param>
    public Task StartAsync(CancellationToken cancellationToken = default) => _watch.StartAsync(cancellationToken);

    /// <summary>
    /// Completes with the first list, the current one included, for which <paramref name="predicate"/> is true (null:
    /// the parent does not exist).
    /// </summary>
    /// <param name="predicate">The condition; it runs on the watcher's refresh loop and must be quick.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<IReadOnlyList<string>?> WaitForChangeAsync(Func<IReadOnlyList<string>?, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var list = await _watch.WaitAsync(value => predicate(value?.Names), cancellationToken).ConfigureAwait(false);
        return list?.Names;
    }

    /// <summary>Stops re-arming, unsubscribes from the connection and removes this watcher's watches.</summary>
    public ValueTask DisposeAsync() => _watch.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => $"ChildrenWatcher({Path}: {(Current is { } names ? names.Count + " children" : "missing")})";

    private static async Task<ChildList?> ReadAsync(IZooKeeperClient client, string path, IWatcher watcher, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var result = await client.GetChildrenAsync(path, watcher, cancellationToken).ConfigureAwait(false);
                var names = result.Children.ToArray();
                Array.Sort(names, StringComparer.Ordinal);
                return new ChildList(names, result.Stat.Czxid);
            }
            catch (NoNodeException)
            {
            }

            if (await client.ExistsAsync(path, watcher, cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
        }
    }
}
