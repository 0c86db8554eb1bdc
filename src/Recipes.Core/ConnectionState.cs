namespace Recipes.Core;

/// <summary>
/// The state of a <see cref="IZooKeeperConnection"/>, as Curator names it. Recipes react to these; the
/// <see cref="OwnershipLossPolicy"/> decides when ownership (locks, leadership) must be given up.
/// </summary>
public enum ConnectionState
{
    /// <summary>Not connected yet (before the first session).</summary>
    Disconnected = 0,
    /// <summary>The first session was established (raised once).</summary>
    Connected = 1,
    /// <summary>The connection dropped; the session may still be alive on the server. Ownership is kept only within the grace of the loss policy.</summary>
    Suspended = 2,
    /// <summary>Connected again after <see cref="Suspended"/> or <see cref="Lost"/>; <see cref="ConnectionStateChange.IsNewSession"/> says whether the session changed.</summary>
    Reconnected = 3,
    /// <summary>The session is gone: the server said it expired, or the client heard nothing from it for the whole session timeout. Every ephemeral node of it is (or will be) deleted.</summary>
    Lost = 4,
    /// <summary>Connected to a read-only server.</summary>
    ReadOnly = 5,
}

/// <summary>Helpers over <see cref="ConnectionState"/>.</summary>
public static class ConnectionStateExtensions
{
    /// <summary>Whether requests can flow in this state.</summary>
    public static bool IsConnected(this ConnectionState state) =>
        state is ConnectionState.Connected or ConnectionState.Reconnected or ConnectionState.ReadOnly;
}

/// <summary>A change of <see cref="IZooKeeperConnection.State"/>.</summary>
/// <param name="State">The new state.</param>
/// <param name="PreviousState">The state before.</param>
/// <param name="SessionId">The session id in the new state (the old one for <see cref="ConnectionState.Lost"/>).</param>
/// <param name="IsNewSession">For <see cref="ConnectionState.Connected"/> and <see cref="ConnectionState.Reconnected"/>: whether this is a different session than before.</param>
public sealed record ConnectionStateChange(ConnectionState State, ConnectionState PreviousState, long SessionId, bool IsNewSession);
