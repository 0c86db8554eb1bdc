using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The long-lived coordination client that applications hold as a singleton and recipes take. It owns the wire
/// client, replaces the session when it is lost, publishes <see cref="ConnectionState"/> changes, applies the
/// <see cref="OwnershipLossPolicy"/>, and runs operations with retries.
/// </summary>
public interface IZooKeeperConnection : IAsyncDisposable
{
    /// <summary>The current state.</summary>
    ConnectionState State { get; }

    /// <summary>The namespace (base path) applied to every path, or "" for none.</summary>
    string Namespace { get; }

    /// <summary>
    /// The current session while connected and trusted; null before the first session, while a lost session is
    /// being replaced, and after disposal. While <see cref="ConnectionState.Suspended"/> it is the suspended session
    /// (its <see cref="ZooKeeperSession.OwnershipLostToken"/> fires when the grace runs out).
    /// </summary>
    ZooKeeperSession? CurrentSession { get; }

    /// <summary>The options in force.</summary>
    ZooKeeperConnectionOptions Options { get; }

    /// <summary>Where recipes log.</summary>
    ILoggerFactory LoggerFactory { get; }

    /// <summary>The clock for timers.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Raised on every state change, in order, on the connection's own dispatcher (never concurrently). Handlers
    /// must be quick; exceptions are logged and swallowed.
    /// </summary>
    event EventHandler<ConnectionStateChange>? StateChanged;

    /// <summary>
    /// Starts connecting (idempotent) and waits for the first session, at most
    /// <see cref="ZooKeeperConnectionOptions.ConnectionWaitTimeout"/>; throws <see cref="ConnectionLossException"/> naming
    /// the servers and the last error otherwise (the connection keeps trying in the background).
    /// </summary>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits (at most <see cref="ZooKeeperConnectionOptions.ConnectionWaitTimeout"/>) for a connected session whose
    /// ownership is trusted, and returns it. Starts the connection if needed.
    /// </summary>
    Task<ZooKeeperSession> WaitForSessionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="operation"/> on the current session's client: waits for the connection when disconnected
    /// (bounded), and retries connection loss, operation timeout and session moved per the retry policy. Other errors
    /// propagate unchanged.
    /// </summary>
    Task<T> ExecuteAsync<T>(Func<IZooKeeperClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a node in the background until it succeeds, the node is gone, or <paramref name="session"/> (if given)
    /// ends — the server deletes a dead session's ephemerals itself. Used to release locks and leases even across
    /// connection loss.
    /// </summary>
    void DeleteGuaranteed(string path, ZooKeeperSession? session = null);
}
