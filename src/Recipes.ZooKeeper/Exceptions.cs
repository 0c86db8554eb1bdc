namespace Recipes.ZooKeeper;

/// <summary>
/// A ZooKeeper error: a code from the server (or the client for connection loss and timeouts) and the path it
/// concerns. Each code has its own subclass so callers can catch what they handle.
/// </summary>
public class ZooKeeperException : Exception
{
    /// <summary>Creates an exception for <paramref name="code"/>.</summary>
    public ZooKeeperException(ErrorCode code, string? path, string? message = null, Exception? inner = null)
        : base(message ?? DefaultMessage(code, path), inner)
    {
        Code = code;
        Path = path;
    }

    /// <summary>The error code.</summary>
    public ErrorCode Code { get; }

    /// <summary>The client path the failed operation named, if any.</summary>
    public string? Path { get; }

    /// <summary>
    /// Whether the failure is transient (connection loss, operation timeout, session moved, throttled):
    /// the operation may be retried (a write may or may not have been applied).
    /// </summary>
    public bool IsTransient => Code is ErrorCode.ConnectionLoss or ErrorCode.OperationTimeout or ErrorCode.SessionMoved
        or ErrorCode.Throttled or ErrorCode.RequestTimeout or ErrorCode.NewConfigNoQuorum or ErrorCode.ReconfigInProgress;

    /// <summary>Creates the typed exception for a code.</summary>
    public static ZooKeeperException Create(ErrorCode code, string? path, string? message = null, Exception? inner = null) => code switch
    {
        ErrorCode.NoNode => new NoNodeException(path, message),
        ErrorCode.NodeExists => new NodeExistsException(path, message),
        ErrorCode.BadVersion => new BadVersionException(path, message),
        ErrorCode.NotEmpty => new NotEmptyException(path, message),
        ErrorCode.NoAuth => new NoAuthException(path, message),
        ErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path, message),
        ErrorCode.BadArguments => new BadArgumentsException(path, message),
        ErrorCode.InvalidAcl => new InvalidAclException(path, message),
        ErrorCode.SessionExpired => new SessionExpiredException(path, message),
        ErrorCode.ConnectionLoss => new ConnectionLossException(path, message, inner),
        ErrorCode.OperationTimeout => new OperationTimeoutException(path, message),
        ErrorCode.SessionMoved => new SessionMovedException(path, message),
        ErrorCode.AuthFailed => new AuthFailedException(path, message),
        ErrorCode.Unimplemented => new UnimplementedException(path, message),
        ErrorCode.NoWatcher => new NoWatcherException(path, message),
        ErrorCode.NotReadOnly => new NotReadOnlyException(path, message),
        _ => new ZooKeeperException(code, path, message, inner),
    };

    private static string DefaultMessage(ErrorCode code, string? path) =>
        path is null ? $"ZooKeeper error {code} ({(int)code})." : $"ZooKeeper error {code} ({(int)code}) for '{path}'.";
}

/// <summary>The node does not exist (<see cref="ErrorCode.NoNode"/>).</summary>
public sealed class NoNodeException(string? path, string? message = null) : ZooKeeperException(ErrorCode.NoNode, path, message);

/// <summary>The node already exists (<see cref="ErrorCode.NodeExists"/>).</summary>
public sealed class NodeExistsException(string? path, string? message = null) : ZooKeeperException(ErrorCode.NodeExists, path, message);

/// <summary>The expected version did not match (<see cref="ErrorCode.BadVersion"/>).</summary>
public sealed class BadVersionException(string? path, string? message = null) : ZooKeeperException(ErrorCode.BadVersion, path, message);

/// <summary>The node has children (<see cref="ErrorCode.NotEmpty"/>).</summary>
public sealed class NotEmptyException(string? path, string? message = null) : ZooKeeperException(ErrorCode.NotEmpty, path, message);

/// <summary>The node's ACL denies the operation (<see cref="ErrorCode.NoAuth"/>).</summary>
public sealed class NoAuthException(string? path, string? message = null) : ZooKeeperException(ErrorCode.NoAuth, path, message);

/// <summary>Ephemeral nodes cannot have children (<see cref="ErrorCode.NoChildrenForEphemerals"/>).</summary>
public sealed class NoChildrenForEphemeralsException(string? path, string? message = null) : ZooKeeperException(ErrorCode.NoChildrenForEphemerals, path, message);

/// <summary>The server rejected the arguments (<see cref="ErrorCode.BadArguments"/>).</summary>
public sealed class BadArgumentsException(string? path, string? message = null) : ZooKeeperException(ErrorCode.BadArguments, path, message);

/// <summary>The ACL is invalid (<see cref="ErrorCode.InvalidAcl"/>).</summary>
public sealed class InvalidAclException(string? path, string? message = null) : ZooKeeperException(ErrorCode.InvalidAcl, path, message);

/// <summary>The session has expired; a new client (session) is needed (<see cref="ErrorCode.SessionExpired"/>).</summary>
public sealed class SessionExpiredException(string? path, string? message = null) : ZooKeeperException(ErrorCode.SessionExpired, path, message);

/// <summary>The connection was lost before a reply arrived; a write may or may not have been applied (<see cref="ErrorCode.ConnectionLoss"/>).</summary>
public sealed class ConnectionLossException(string? path, string? message = null, Exception? inner = null) : ZooKeeperException(ErrorCode.ConnectionLoss, path, message, inner);

/// <summary>The operation did not complete in time (<see cref="ErrorCode.OperationTimeout"/>).</summary>
public sealed class OperationTimeoutException(string? path, string? message = null) : ZooKeeperException(ErrorCode.OperationTimeout, path, message);

/// <summary>The session moved to another server (<see cref="ErrorCode.SessionMoved"/>).</summary>
public sealed class SessionMovedException(string? path, string? message = null) : ZooKeeperException(ErrorCode.SessionMoved, path, message);

/// <summary>Authentication failed (<see cref="ErrorCode.AuthFailed"/>); the client is dead.</summary>
public sealed class AuthFailedException(string? path, string? message = null) : ZooKeeperException(ErrorCode.AuthFailed, path, message);

/// <summary>The server does not implement the operation (<see cref="ErrorCode.Unimplemented"/>).</summary>
public sealed class UnimplementedException(string? path, string? message = null) : ZooKeeperException(ErrorCode.Unimplemented, path, message);

/// <summary>No such watcher (<see cref="ErrorCode.NoWatcher"/>).</summary>
public sealed class NoWatcherException(string? path, string? message = null) : ZooKeeperException(ErrorCode.NoWatcher, path, message);

/// <summary>A write reached a read-only server (<see cref="ErrorCode.NotReadOnly"/>).</summary>
public sealed class NotReadOnlyException(string? path, string? message = null) : ZooKeeperException(ErrorCode.NotReadOnly, path, message);

/// <summary>
/// A multi (transaction) failed as a whole: nothing was applied. <see cref="ZooKeeperException.Code"/> and
/// <see cref="ZooKeeperException.Path"/> name the first failing operation.
/// </summary>
public sealed class MultiException(ErrorCode code, string? path, int failedIndex, IReadOnlyList<ErrorOpResult> results)
    : ZooKeeperException(code, path, $"Multi failed at operation {failedIndex} ('{path}') with {code} ({(int)code}); nothing was applied.")
{
    /// <summary>The index of the first failing operation.</summary>
    public int FailedIndex { get; } = failedIndex;

    /// <summary>Each operation's code (Ok before the failing one, RuntimeInconsistency after it).</summary>
    public IReadOnlyList<ErrorOpResult> Results { get; } = results;
}

/// <summary>A reply from the server broke the protocol (bad length, unknown xid, malformed record); the connection was dropped.</summary>
public sealed class ZooKeeperProtocolException(string message, Exception? inner = null) : Exception(message, inner);
