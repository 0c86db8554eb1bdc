namespace Recipes.ZooKeeper;

/// <summary>
/// One ZooKeeper session: every operation of the protocol, pipelined over one connection, with watches and
/// transparent reconnection while the session lives. <see cref="ZooKeeperClient"/> is the implementation; the
/// interface exists so recipe logic can be unit-tested against a mock.
/// </summary>
/// <remarks>
/// Paths are client paths (the chroot of the connection string is applied and stripped). Every path is validated
/// before anything is sent. Operations fail with a <see cref="ZooKeeperException"/> subclass for the server's error
/// code, <see cref="ConnectionLossException"/> when the connection drops before the reply (a write may or may not
/// have been applied), and <see cref="SessionExpiredException"/> once the session is gone.
/// </remarks>
public interface IZooKeeperClient : IAsyncDisposable
{
    /// <summary>The current state.</summary>
    ZooKeeperState State { get; }

    /// <summary>The session id (0 before the first connection).</summary>
    long SessionId { get; }

    /// <summary>The session password (16 bytes; empty before the first connection).</summary>
    ReadOnlyMemory<byte> SessionPassword { get; }

    /// <summary>The session timeout the server granted (zero before the first connection).</summary>
    TimeSpan NegotiatedSessionTimeout { get; }

    /// <summary>The highest zxid seen in a reply.</summary>
    long LastZxid { get; }

    /// <summary>
    /// When the client last heard from the server (any frame), as a <see cref="TimeProvider.GetTimestamp"/> value of the
    /// options' clock. The server may expire the session once it has heard nothing for the session timeout, which it
    /// counts from at least as early as this moment.
    /// </summary>
    long LastReceivedTimestamp { get; }

    /// <summary>
    /// A moment at which the server is known to have heard from this client: when the latest request (or ping) that
    /// the server answered was sent, as a <see cref="TimeProvider.GetTimestamp"/> value of the options' clock. The
    /// server cannot expire the session before this moment plus the session timeout, so ownership decisions (locks,
    /// leadership) count from here. Never later than <see cref="LastReceivedTimestamp"/>.
    /// </summary>
    long LastServerContactTimestamp { get; }

    /// <summary>Raised (on the event dispatcher, in order with watch events) whenever <see cref="State"/> changes.</summary>
    event EventHandler<ZooKeeperStateChange>? StateChanged;

    /// <summary>Waits until the client is connected; throws if it reaches a terminal state first.</summary>
    Task WaitForConnectedAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a node; returns its actual path (with the sequence suffix) and stat.</summary>
    Task<CreateResult> CreateAsync(string path, byte[]? data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null, long ttl = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes a node if its version matches (-1: any version).</summary>
    Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default);

    /// <summary>The node's stat, or null if it does not exist. A watcher is told when the node is created, changed or deleted.</summary>
    Task<Stat?> ExistsAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default);

    /// <summary>The node's data and stat. A watcher is told when the data changes or the node is deleted.</summary>
    Task<DataResult> GetDataAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default);

    /// <summary>Sets the node's data if its version matches (-1: any version); returns the new stat.</summary>
    Task<Stat> SetDataAsync(string path, byte[]? data, int version = -1, CancellationToken cancellationToken = default);

    /// <summary>The node's children (names, unordered) and stat. A watcher is told when the child list changes or the node is deleted.</summary>
    Task<ChildrenResult> GetChildrenAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default);

    /// <summary>The node's ACL and stat.</summary>
    Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Sets the node's ACL if its ACL version matches (-1: any); returns the new stat.</summary>
    Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion = -1, CancellationToken cancellationToken = default);

    /// <summary>Waits until the server this client talks to has caught up with the leader for <paramref name="path"/>.</summary>
    Task SyncAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the operations as one atomic transaction. Returns one result per operation; throws
    /// <see cref="MultiException"/> (nothing applied) naming the first failing operation.
    /// </summary>
    Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> operations, CancellationToken cancellationToken = default);

    /// <summary>This session's ephemeral nodes whose path starts with <paramref name="prefixPath"/> (plain string prefix).</summary>
    Task<IReadOnlyList<string>> GetEphemeralsAsync(string prefixPath = "/", CancellationToken cancellationToken = default);

    /// <summary>The number of all descendants of a node.</summary>
    Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The identities the server associates with this connection.</summary>
    Task<IReadOnlyList<ClientIdentity>> WhoAmIAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds an authentication (kept and re-sent on every reconnect). Credentials are never logged.</summary>
    Task AddAuthAsync(ZooKeeperAuthInfo auth, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a persistent (or persistent-recursive) watch: it stays after firing, survives reconnects, and is removed with
    /// <see cref="RemoveWatchesAsync"/>. The node need not exist.
    /// </summary>
    Task AddWatchAsync(string path, IWatcher watcher, AddWatchMode mode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes <paramref name="watcher"/> (or, when null, every watcher) of <paramref name="type"/> on <paramref name="path"/>.
    /// The server's watch is removed once no local watcher needs it. With <paramref name="local"/> true the server is not asked
    /// (useful while disconnected). Throws <see cref="NoWatcherException"/> if nothing matched.
    /// </summary>
    Task RemoveWatchesAsync(string path, IWatcher? watcher, WatcherType type, bool local = false, CancellationToken cancellationToken = default);

    /// <summary>Closes the session on the server (its ephemeral nodes are deleted) and the connection.</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a write batch on the calling thread: requests this thread starts on this client until the returned scope
    /// is disposed are written to the connection together when it is (one write, so usually one TCP segment and one
    /// wake-up of the server's network thread, instead of one per request). Requests are still sent, answered and
    /// completed in the order they were started, and nothing else changes about them.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Start the requests and dispose the scope without awaiting in between (<c>using (client.BatchWrites()) { a =
    /// client.CreateAsync(...); b = client.GetChildrenAsync(...); }</c>, then await them): until the scope ends, nothing
    /// this thread starts on this client is sent. Requests from other threads are never held back (one of them writes
    /// what the batch held so far too). One batch per client at a time: while one is open, another (nested, or on
    /// another thread) is an inactive scope that changes nothing. A scope disposed on another thread still ends the batch.
    /// </para>
    /// <para>The default implementation (for other implementations of this interface) returns an inactive scope.</para>
    /// </remarks>
    /// <returns>The scope; dispose it to write what it held.</returns>
    ZooKeeperWriteBatch BatchWrites() => default;
}
