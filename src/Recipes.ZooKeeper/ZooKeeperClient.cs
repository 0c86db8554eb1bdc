using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recipes.ZooKeeper.Internal;
using Recipes.ZooKeeper.Protocol;

namespace Recipes.ZooKeeper;

/// <summary>
/// An async ZooKeeper client: one session, one connection at a time, pipelined requests. See
/// <see cref="IZooKeeperClient"/> for the operations and <see cref="ZooKeeperState"/> for the life cycle.
/// </summary>
/// <remarks>
/// Create it with <see cref="ConnectAsync(ZooKeeperClientOptions, CancellationToken)"/> (waits for the session) or
/// <see cref="Create"/> (connects in the background). When the connection drops, requests in flight fail with
/// <see cref="ConnectionLossException"/> and the client reconnects to the next host with the same session,
/// re-sending its authentication and re-registering its watches. Only the server can say a session expired;
/// the client then moves to <see cref="ZooKeeperState.Expired"/> for good, and a new client is needed.
/// Thread-safe.
/// <para>
/// The code awaiting a request's task resumes on the connection's reader thread, right after the reply is read (unless
/// it has a synchronization context to return to). Keep it short or move long work off with <c>await Task.Yield()</c>:
/// code that holds the reader for over 10 ms makes the client start a new reader for the connection, so blocking there
/// is safe but delays that connection's replies. Failures and cancellations complete tasks on the thread pool.
/// </para>
/// </remarks>
public sealed partial class ZooKeeperClient : IZooKeeperClient
{
    private static readonly byte[] EmptyPassword = new byte[16];

    private readonly ZooKeeperClientOptions _options;
    private readonly List<HostEndpoint> _hosts;
    private readonly Chroot _chroot;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WatchManager _watches = new();
    private readonly ReplyContext _replyContext;
    private readonly EventDispatcher _dispatcher;
    // Synchronous continuations: an idle writer loop resumes on the thread that queues a request and writes it at once,
    // instead of costing a thread-pool wake-up per request. Safe because the writer runs no user code (it serializes,
    // writes, and fails oversized requests, whose tasks complete asynchronously) and never blocks: a socket write that
    // cannot complete at once returns the thread to the caller and the loop continues on the pool.
    private readonly Channel<Request> _outgoing = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _stateLock = new();
    private readonly List<ZooKeeperAuthInfo> _auth;
    private readonly Task _runLoop;

    private ZooKeeperState _state = ZooKeeperState.Connecting;
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _terminalException;
    private long _sessionId;
    private byte[] _password = [];
    private int _negotiatedTimeoutMs;
    private long _lastZxid;
    private long _lastReceived;
    private long _lastServerContact;
    private volatile bool _closeRequested;
    private string? _lastConnectError;

    private ZooKeeperClient(ZooKeeperClientOptions options)
    {
        options.Validate();
        _options = options.Clone();
        var parsed = Internal.ConnectionString.Parse(_options.ConnectionString);
        _hosts = [.. parsed.Hosts];
        if (_options.ShuffleHosts && _hosts.Count > 1)
        {
            var array = _hosts.ToArray();
            Random.Shared.Shuffle(array);
            _hosts = [.. array];
        }

        _chroot = new Chroot(parsed.Chroot);
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ZooKeeperClient>();
        _time = _options.TimeProvider;
        _auth = [.. _options.AuthInfo];
        _replyContext = new ReplyContext(_chroot, _watches);
        _dispatcher = new EventDispatcher(_logger);
        _sessionId = _options.SessionId;
        _password = _options.SessionPassword ?? [];
        _lastReceived = _time.GetTimestamp();
        _lastServerContact = _lastReceived;
        _runLoop = Task.Run(RunAsync);
    }

    /// <inheritdoc />
    public event EventHandler<ZooKeeperStateChange>? StateChanged;

    /// <inheritdoc />
    public ZooKeeperState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <inheritdoc />
    public long SessionId => Interlocked.Read(ref _sessionId);

    /// <inheritdoc />
    public ReadOnlyMemory<byte> SessionPassword => Volatile.Read(ref _password);

    /// <inheritdoc />
    public TimeSpan NegotiatedSessionTimeout => TimeSpan.FromMilliseconds(Volatile.Read(ref _negotiatedTimeoutMs));

    /// <inheritdoc />
    public long LastZxid => Interlocked.Read(ref _lastZxid);

    /// <inheritdoc />
    public long LastReceivedTimestamp => Interlocked.Read(ref _lastReceived);

    /// <inheritdoc />
    public long LastServerContactTimestamp => Interlocked.Read(ref _lastServerContact);

    /// <summary>The chroot applied to every path ("" for none).</summary>
    public string Chroot => _chroot.Prefix;

    /// <summary>The number of (path, watcher) registrations this client holds, for diagnostics.</summary>
    public int WatchCount => _watches.Count;

    /// <summary>The clock this client uses.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Creates a client that connects in the background; see <see cref="WaitForConnectedAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the setting).</exception>
    public static ZooKeeperClient Create(ZooKeeperClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ZooKeeperClient(options);
    }

    /// <summary>
    /// Connects and waits for the session. Gives up (and disposes the client) when no server accepted a session within
    /// the requested session timeout, with a <see cref="ConnectionLossException"/> naming the hosts and the last error.
    /// </summary>
    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = Create(options);
        try
        {
            using var timeout = new CancellationTokenSource(options.SessionTimeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await client.WaitForConnectedAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionLossException(null,
                    $"Could not connect to ZooKeeper at '{options.ConnectionString}' within {options.SessionTimeout.TotalSeconds:0.###} s. Last error: {client._lastConnectError ?? "none"}.");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connects to <paramref name="connectionString"/> with default options.</summary>
    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, CancellationToken cancellationToken = default) =>
        ConnectAsync(new ZooKeeperClientOptions { ConnectionString = connectionString }, cancellationToken);

    /// <inheritdoc />
    public async Task WaitForConnectedAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_stateLock)
            {
                if (_state.IsConnected())
                {
                    return;
                }

                if (_state.IsTerminal())
                {
                    throw TerminalException();
                }

                changed = _stateChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (!State.IsTerminal() && !_closeRequested)
        {
            _closeRequested = true;
            if (State.IsConnected())
            {
                var close = new Request<bool>(OpCode.CloseSession, Protocol.Records.EmptyRequest.Instance, null, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true);
                if (_outgoing.Writer.TryWrite(close))
                {
                    try
                    {
                        var wait = TimeSpan.FromMilliseconds(Math.Clamp(_negotiatedTimeoutMs / 3, 500, 5000));
                        await close.Task.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        _logger.LogDebug(exception, "closeSession for session 0x{SessionId:x} did not complete cleanly.", SessionId);
                    }
                }
            }

            EnterTerminal(ZooKeeperState.Closed);
        }

        try
        {
            await _runLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogDebug(exception, "The connection loop ended with an error.");
        }
    }

    /// <summary>Closes the session (see <see cref="CloseAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeperClient(session 0x{SessionId:x}, {State}, {_options.ConnectionString})";

    private void SetState(ZooKeeperState newState)
    {
        ZooKeeperState old;
        TaskCompletionSource changed;
        lock (_stateLock)
        {
            if (_state == newState || _state.IsTerminal())
            {
                return;
            }

            old = _state;
            _state = newState;
            changed = _stateChanged;
            _stateChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        var change = new ZooKeeperStateChange(old, newState, SessionId);
        _logger.LogInformation("ZooKeeper session 0x{SessionId:x}: {OldState} -> {NewState}.", change.SessionId, old, newState);
        _dispatcher.Post(() => StateChanged?.Invoke(this, change));
        changed.TrySetResult();
    }

    /// <summary>The one place a client dies: sets the final state, fails everything queued, stops the loops.</summary>
    private void EnterTerminal(ZooKeeperState state)
    {
        lock (_stateLock)
        {
            if (_state.IsTerminal())
            {
                return;
            }

            _terminalException = CreateTerminalException(state);
        }

        SetState(state);
        _outgoing.Writer.TryComplete();
        FailQueued(_terminalException);
        _watches.Clear();
        _lifetime.Cancel();
        _dispatcher.Complete();
    }

    private Exception CreateTerminalException(ZooKeeperState state) => state switch
    {
        ZooKeeperState.Expired => new SessionExpiredException(null, $"The ZooKeeper session 0x{SessionId:x} has expired; create a new client."),
        ZooKeeperState.AuthFailed => new AuthFailedException(null, "ZooKeeper authentication failed; the client is closed."),
        _ => new ObjectDisposedException(nameof(ZooKeeperClient), $"The ZooKeeper client (session 0x{SessionId:x}) was closed."),
    };

    private Exception TerminalException()
    {
        var exception = _terminalException ?? new ObjectDisposedException(nameof(ZooKeeperClient));
        return exception switch
        {
            SessionExpiredException e => new SessionExpiredException(null, e.Message),
            AuthFailedException e => new AuthFailedException(null, e.Message),
            _ => new ObjectDisposedException(nameof(ZooKeeperClient), exception.Message),
        };
    }

    private void FailQueued(Exception reason)
    {
        while (_outgoing.Reader.TryRead(out var request))
        {
            if (request.OpCode != OpCode.Ping)
            {
                request.Fail(ForRequest(reason, request));
            }
        }
    }

    /// <summary>A fresh exception for one request, carrying its path.</summary>
    private Exception ForRequest(Exception reason, Request request) => reason switch
    {
        ZooKeeperException z => ZooKeeperException.Create(z.Code, request.Path, z.Message, z.InnerException),
        ObjectDisposedException d => new ObjectDisposedException(nameof(ZooKeeperClient), d.Message),
        _ => new ConnectionLossException(request.Path, $"Connection to ZooKeeper lost before the reply to {request.OpCode} '{request.Path}': {reason.Message}", reason),
    };
}
