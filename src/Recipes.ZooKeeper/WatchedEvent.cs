namespace Recipes.ZooKeeper;

/// <summary>What happened to a watched znode, or <see cref="None"/> for a change of connection state.</summary>
public enum EventType
{
    /// <summary>No node event: a connection state change (see <see cref="WatchedEvent.State"/>).</summary>
    None = -1,
    /// <summary>The node was created.</summary>
    NodeCreated = 1,
    /// <summary>The node was deleted.</summary>
    NodeDeleted = 2,
    /// <summary>The node's data changed.</summary>
    NodeDataChanged = 3,
    /// <summary>The node's child list changed.</summary>
    NodeChildrenChanged = 4,
    /// <summary>A data watch was removed (client-local).</summary>
    DataWatchRemoved = 5,
    /// <summary>A child watch was removed (client-local).</summary>
    ChildWatchRemoved = 6,
    /// <summary>A persistent watch was removed (client-local).</summary>
    PersistentWatchRemoved = 7,
}

/// <summary>The connection state carried by a <see cref="WatchedEvent"/> (<c>Watcher.Event.KeeperState</c>).</summary>
public enum KeeperState
{
    /// <summary>The connection to the server was lost; the session may still be alive.</summary>
    Disconnected = 0,
    /// <summary>Connected (every node event carries this state).</summary>
    SyncConnected = 3,
    /// <summary>Authentication failed.</summary>
    AuthFailed = 4,
    /// <summary>Connected to a read-only server.</summary>
    ConnectedReadOnly = 5,
    /// <summary>The session expired; the client is dead.</summary>
    Expired = -112,
    /// <summary>The client was closed.</summary>
    Closed = 7,
}

/// <summary>A notification delivered to a watcher.</summary>
/// <param name="Type">What happened.</param>
/// <param name="State">The connection state at the time.</param>
/// <param name="Path">The client path (chroot stripped), or null for connection state events.</param>
public sealed record WatchedEvent(EventType Type, KeeperState State, string? Path)
{
    /// <inheritdoc />
    public override string ToString() => Path is null ? $"{Type} {State}" : $"{Type} {Path}";
}

/// <summary>Receives watch notifications. Called on the client's event dispatcher, one event at a time, in order.</summary>
/// <remarks>
/// Handlers should return quickly: a slow handler delays later events (never pings or replies). Exceptions thrown
/// by a handler are logged and swallowed.
/// </remarks>
public interface IWatcher
{
    /// <summary>Handles one event.</summary>
    void Process(WatchedEvent @event);
}

/// <summary>Creates <see cref="IWatcher"/>s from delegates.</summary>
public static class Watcher
{
    /// <summary>A watcher that calls <paramref name="handler"/>.</summary>
    public static IWatcher Create(Action<WatchedEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new DelegateWatcher(handler);
    }

    private sealed class DelegateWatcher(Action<WatchedEvent> handler) : IWatcher
    {
        public void Process(WatchedEvent @event) => handler(@event);
    }
}

/// <summary>The mode of a watch added with <see cref="IZooKeeperClient.AddWatchAsync"/>.</summary>
public enum AddWatchMode
{
    /// <summary>A watch on one path that stays after firing: data, child and existence events of that node.</summary>
    Persistent = 0,
    /// <summary>A watch on a path and all its descendants that stays after firing (no NodeChildrenChanged events).</summary>
    PersistentRecursive = 1,
}

/// <summary>Which watches to remove with <see cref="IZooKeeperClient.RemoveWatchesAsync"/>.</summary>
public enum WatcherType
{
    /// <summary>Child watches.</summary>
    Children = 1,
    /// <summary>Data and exist watches.</summary>
    Data = 2,
    /// <summary>Every kind, persistent ones included.</summary>
    Any = 3,
}
