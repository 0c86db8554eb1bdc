using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// One ZooKeeper session during one unbroken period in which its ownership can be trusted. Recipes capture the
/// current one before creating a node and grant ownership only while <see cref="OwnershipLostToken"/> has not fired.
/// </summary>
/// <remarks>
/// The token fires when the <see cref="OwnershipLossPolicy"/> gives up (suspended past the grace), when the session
/// is lost, or when the connection is disposed. If the same session reconnects after its ownership was given up,
/// the connection publishes a new <see cref="ZooKeeperSession"/> with the same <see cref="SessionId"/> and a fresh
/// token: whatever was owned under the old one must be re-checked (locks are not re-granted silently).
/// </remarks>
public sealed class ZooKeeperSession
{
    private readonly CancellationTokenSource _ownershipLost = new();

    internal ZooKeeperSession(IZooKeeperClient client, long sessionId, TimeSpan sessionTimeout)
    {
        Client = client;
        SessionId = sessionId;
        SessionTimeout = sessionTimeout;
        OwnershipLostToken = _ownershipLost.Token;
    }

    /// <summary>The wire client of this session. After the session is lost it fails every call.</summary>
    public IZooKeeperClient Client { get; }

    /// <summary>The session id (the <c>ephemeralOwner</c> of this session's ephemeral nodes).</summary>
    public long SessionId { get; }

    /// <summary>The negotiated session timeout.</summary>
    public TimeSpan SessionTimeout { get; }

    /// <summary>Fires when ownership held under this session can no longer be trusted.</summary>
    public CancellationToken OwnershipLostToken { get; }

    /// <summary>Whether <see cref="OwnershipLostToken"/> has fired.</summary>
    public bool IsOwnershipLost => _ownershipLost.IsCancellationRequested;

    /// <summary>Throws <see cref="OwnershipLostException"/> when ownership under this session was given up.</summary>
    public void ThrowIfOwnershipLost()
    {
        if (IsOwnershipLost)
        {
            throw new OwnershipLostException($"Ownership under ZooKeeper session 0x{SessionId:x} was given up (connection suspended past the grace, or the session was lost).");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"session 0x{SessionId:x}{(IsOwnershipLost ? " (ownership lost)" : "")}";

    internal void LoseOwnership()
    {
        try
        {
            _ownershipLost.Cancel();
        }
        catch (AggregateException)
        {
            // Callbacks registered by recipes must not break the connection's bookkeeping; they log their own errors.
        }
    }
}

/// <summary>Ownership (a lock, leadership) can no longer be trusted because its session was suspended too long or lost.</summary>
public sealed class OwnershipLostException(string message) : Exception(message);
