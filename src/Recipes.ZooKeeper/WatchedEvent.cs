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

/// <summary>
/// A watcher called on the connection's read loop, as soon as the notification is read, instead of on the event
/// dispatcher: one thread hop less between the server's notification and the handler. For code that reacts by
/// starting requests (a cache that reads what changed), not for application handlers.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="IWatcher.Process"/> must return at once: it may start requests (they are only queued) and take short
/// locks, but must never block, wait for a reply (that reply could only be read after it returns) or run user
/// callbacks. Exceptions are logged and swallowed, as on the dispatcher.
/// </para>
/// <para>
/// Such a watcher sees the server's notifications in the order the server sent them, before the replies that follow
/// them, but ahead of anything still queued on the dispatcher (other watchers' events,
/// <see cref="IZooKeeperClient.StateChanged"/>). The events the client raises itself when a watch is removed
/// (<see cref="EventType.DataWatchRemoved"/> and the like) still come on the dispatcher.
/// </para>
/// </remarks>
public interface IReadLoopWatcher : IWatcher
{
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

    /// <summary>A watcher that calls <paramref name="handler"/> on the connection's read loop (see <see cref="IReadLoopWatcher"/>).</summary>
    public static IReadLoopWatcher CreateOnReadLoop(Action<WatchedEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new ReadLoopDelegateWatcher(handler);
    }

    private sealed class DelegateWatcher(Action<WatchedEvent> handler) : IWatcher
    {
        public void Process(WatchedEvent @event) => handler(@event);
    }

    private sealed class ReadLoopDelegateWatcher(Action<WatchedEvent> handler) : IReadLoopWatcher
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
