using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recipes.Core.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The long-lived coordination client (see <see cref="IZooKeeperConnection"/>). Hold one per application (DI registers
/// it as a singleton with <c>services.AddZooKeeper(...)</c>); recipes take it.
/// </summary>
/// <remarks>
/// <para>States: <see cref="ConnectionState.Connected"/> once, then <see cref="ConnectionState.Suspended"/> when the
/// connection drops and <see cref="ConnectionState.Reconnected"/> when it is back. <see cref="ConnectionState.Lost"/>
/// when the server reports the session expired, or when nothing was heard from the server for the whole negotiated
/// session timeout (counted by the client's own clock from the last moment the server is known to have heard it);
/// the connection then opens a new session and reports <see cref="ConnectionState.Reconnected"/> with
/// <see cref="ConnectionStateChange.IsNewSession"/>.</para>
/// <para>Ownership: while suspended, the current <see cref="ZooKeeperSession"/>'s ownership token fires at last
/// server contact + <see cref="OwnershipLossPolicy.GraceFraction"/> × the session timeout (before the server can
/// expire the session), and always on Lost.</para>
/// </remarks>
public sealed partial class ZooKeeperConnection : IZooKeeperConnection
{
    private readonly ZooKeeperConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SerialDispatcher _events;
    private readonly GuaranteedDeleter _deleter;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposed = new();

    private IZooKeeperClient? _client;
    private ZooKeeperState _clientState;
    private ZooKeeperSession? _session;
    private ConnectionState _state = ConnectionState.Disconnected;
    private bool _everConnected;
    private bool _started;
    private int _lossesWithoutConnection;
    private ITimer? _graceTimer;
    private ITimer? _expiryTimer;
    private TaskCompletionSource _stateSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates a connection; it connects on <see cref="StartAsync(CancellationToken)"/> (or the first operation).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message names the setting.</exception>
    public ZooKeeperConnection(ZooKeeperConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = LoggerFactory.CreateLogger<ZooKeeperConnection>();
        _time = options.TimeProvider;
        _events = new SerialDispatcher(_logger);
        _deleter = new GuaranteedDeleter(this, LoggerFactory.CreateLogger<GuaranteedDeleter>(), _time);
        Namespace = options.Namespace is { Length: > 1 } ns ? ns : "";
    }

    /// <inheritdoc />
    public event EventHandler<ConnectionStateChange>? StateChanged;

    /// <inheritdoc />
    public ConnectionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <inheritdoc />
    public string Namespace { get; }

    /// <inheritdoc />
    public ZooKeeperSession? CurrentSession
    {
        get
        {
            lock (_lock)
            {
                return _session;
            }
        }
    }

    /// <inheritdoc />
    public ZooKeeperConnectionOptions Options => _options;

    /// <inheritdoc />
    public ILoggerFactory LoggerFactory { get; }

    /// <inheritdoc />
    public TimeProvider TimeProvider => _time;

    /// <summary>Creates and starts a connection, waiting for its first session.</summary>
    public static async Task<ZooKeeperConnection> StartAsync(ZooKeeperConnectionOptions options, CancellationToken cancellationToken = default)
    {
        var connection = new ZooKeeperConnection(options);
        try
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken = default) =>
        _ = await WaitForSessionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<ZooKeeperSession> WaitForSessionAsync(CancellationToken cancellationToken = default)
    {
        EnsureStarted();
        var deadline = _time.GetTimestamp();
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                if (_state.IsConnected() && _session is { IsOwnershipLost: false } session)
                {
                    return session;
                }

                signal = _stateSignal.Task;
            }

            var remaining = _options.ConnectionWaitTimeout - _time.GetElapsedTime(deadline);
            try
            {
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }

                await signal.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new ConnectionLossException(null,
                    $"Not connected to ZooKeeper at '{_options.ConnectionString}' within {_options.ConnectionWaitTimeout.TotalSeconds:0.###} s (state {State}).");
            }
        }
    }

    /// <inheritdoc />
    public async Task<T> ExecuteAsync<T>(Func<IZooKeeperClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var start = _time.GetTimestamp();
        var retries = 0;
        while (true)
        {
            var session = await WaitForSessionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await operation(session.Client, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsRetryable(exception, session))
            {
                if (!_options.RetryPolicy.ShouldRetry(retries++, _time.GetElapsedTime(start), out var delay))
                {
                    throw;
                }

                CoreMetrics.Retries.Add(1);
                _logger.LogDebug("Retrying a ZooKeeper operation after {Error} (retry {Retry}, in {Delay} ms).", exception.Message, retries, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void DeleteGuaranteed(string path, ZooKeeperSession? session = null)
    {
        PathUtils.Validate(path);
        _deleter.Enqueue(path, session);
    }

    /// <summary>
    /// Stops: ownership under the current session ends, pending guaranteed deletes get a short chance to finish,
    /// and the session is closed on the server (its ephemeral nodes go at once).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        IZooKeeperClient? client;
        ZooKeeperSession? session;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            client = _client;
            session = _session;
        }

        try
        {
            await _deleter.DrainAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _logger.LogDebug(exception, "Guaranteed deletes did not all finish before disposal.");
        }

        lock (_lock)
        {
            _disposed.Cancel();
            StopTimers();
            _client = null;
            _session = null;
            _stateSignal.TrySetResult();
        }

        session?.LoseOwnership();
        await _deleter.DisposeAsync().ConfigureAwait(false);
        if (client is not null)
        {
            client.StateChanged -= OnClientStateChanged;
            await client.DisposeAsync().ConfigureAwait(false);
        }

        await _events.CompleteAsync().ConfigureAwait(false);
        _disposed.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeperConnection({_options.ConnectionString}{Namespace}, {State}, {CurrentSession?.ToString() ?? "no session"})";

    private bool IsRetryable(Exception exception, ZooKeeperSession session)
    {
        if (RetryPolicy.IsRetryable(exception))
        {
            return true;
        }

        // The session was replaced under the operation (its client was disposed by us): run it on the new one.
        if (exception is ObjectDisposedException)
        {
            lock (_lock)
            {
                return !_disposed.IsCancellationRequested && !ReferenceEquals(_client, session.Client);
            }
        }

        return false;
    }
}
