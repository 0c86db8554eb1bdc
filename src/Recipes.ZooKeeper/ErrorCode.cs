namespace Recipes.ZooKeeper;

/// <summary>ZooKeeper's error codes (<c>KeeperException.Code</c>), as they travel in reply headers.</summary>
public enum ErrorCode
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>A generic server error.</summary>
    SystemError = -1,
    /// <summary>In a failed multi: an operation after the failing one, which was not applied.</summary>
    RuntimeInconsistency = -2,
    /// <summary>Data inconsistency on the server.</summary>
    DataInconsistency = -3,
    /// <summary>The connection was lost (client-generated); a write may or may not have been applied.</summary>
    ConnectionLoss = -4,
    /// <summary>The server could not parse the request.</summary>
    MarshallingError = -5,
    /// <summary>The server does not implement the operation (or extended types are off for TTL nodes).</summary>
    Unimplemented = -6,
    /// <summary>The operation timed out (client-generated).</summary>
    OperationTimeout = -7,
    /// <summary>Invalid arguments: path, flags, TTL.</summary>
    BadArguments = -8,
    /// <summary>Unknown session.</summary>
    UnknownSession = -12,
    /// <summary>Reconfiguration: no quorum for the new configuration.</summary>
    NewConfigNoQuorum = -13,
    /// <summary>A reconfiguration is in progress.</summary>
    ReconfigInProgress = -14,
    /// <summary>Marker for API errors.</summary>
    ApiError = -100,
    /// <summary>The node does not exist.</summary>
    NoNode = -101,
    /// <summary>The ACL does not allow the operation.</summary>
    NoAuth = -102,
    /// <summary>The version did not match.</summary>
    BadVersion = -103,
    /// <summary>Ephemeral nodes cannot have children.</summary>
    NoChildrenForEphemerals = -108,
    /// <summary>The node already exists.</summary>
    NodeExists = -110,
    /// <summary>The node has children.</summary>
    NotEmpty = -111,
    /// <summary>The session has expired.</summary>
    SessionExpired = -112,
    /// <summary>Invalid callback.</summary>
    InvalidCallback = -113,
    /// <summary>The ACL is invalid.</summary>
    InvalidAcl = -114,
    /// <summary>Authentication failed; the server closes the connection.</summary>
    AuthFailed = -115,
    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,
    /// <summary>A write was sent to a read-only server.</summary>
    NotReadOnly = -119,
    /// <summary>An ephemeral node was requested on a local session.</summary>
    EphemeralOnLocalSession = -120,
    /// <summary>No such watcher on the server.</summary>
    NoWatcher = -121,
    /// <summary>The request timed out (client-generated).</summary>
    RequestTimeout = -122,
    /// <summary>Reconfiguration is disabled.</summary>
    ReconfigDisabled = -123,
    /// <summary>The server requires SASL authentication and closed the session.</summary>
    SessionClosedRequireSaslAuth = -124,
    /// <summary>A quota was exceeded.</summary>
    QuotaExceeded = -125,
    /// <summary>The server's throttler dropped the request.</summary>
    Throttled = -127,
}
