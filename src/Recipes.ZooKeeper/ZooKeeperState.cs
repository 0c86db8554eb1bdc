namespace Recipes.ZooKeeper;

/// <summary>
/// The state of a <see cref="ZooKeeperClient"/>. The client moves
/// <c>Connecting → Connected ⇄ Connecting</c> while its session lives, and ends in exactly one of
/// <see cref="Expired"/>, <see cref="AuthFailed"/> or <see cref="Closed"/>, which are final.
/// </summary>
public enum ZooKeeperState
{
    /// <summary>Not connected: (re)connecting to a server with the current session (if any). Requests wait for the connection or fail with connection loss.</summary>
    Connecting = 0,
    /// <summary>Connected to a read-write server; requests flow.</summary>
    Connected = 1,
    /// <summary>Connected to a read-only server (only when <see cref="ZooKeeperClientOptions.CanBeReadOnly"/>); writes fail.</summary>
    ConnectedReadOnly = 2,
    /// <summary>The server reported the session expired. Final: every request fails with <see cref="SessionExpiredException"/>.</summary>
    Expired = 3,
    /// <summary>Authentication failed. Final.</summary>
    AuthFailed = 4,
    /// <summary>The client was closed or disposed. Final.</summary>
    Closed = 5,
}

/// <summary>Helpers over <see cref="ZooKeeperState"/>.</summary>
public static class ZooKeeperStateExtensions
{
    /// <summary>Whether requests can currently be sent.</summary>
    public static bool IsConnected(this ZooKeeperState state) => state is ZooKeeperState.Connected or ZooKeeperState.ConnectedReadOnly;

    /// <summary>Whether the state is final (the client will never connect again).</summary>
    public static bool IsTerminal(this ZooKeeperState state) =>
        state is ZooKeeperState.Expired or ZooKeeperState.AuthFailed or ZooKeeperState.Closed;
}

/// <summary>A change of <see cref="ZooKeeperClient.State"/>.</summary>
/// <param name="OldState">The state before.</param>
/// <param name="NewState">The state now.</param>
/// <param name="SessionId">The session id (unchanged across reconnects of one session).</param>
public sealed record ZooKeeperStateChange(ZooKeeperState OldState, ZooKeeperState NewState, long SessionId);
