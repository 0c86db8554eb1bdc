using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recipes.Testing.Internal;

namespace Recipes.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of one upstream <c>host:port</c> that injects network faults: latency,
/// partitions (<see cref="FaultMode.Blackhole"/>), slow links, refused connections and resets. Point the client
/// under test at <see cref="ConnectionString"/> instead of the server.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Mode"/> applies at once to every current and future connection, unless a connection has its own
/// <see cref="ProxyConnection.Mode"/>. Switching from <see cref="FaultMode.Blackhole"/> back to a forwarding mode
/// resumes the existing connections: data sent after the switch is forwarded, data sent during the blackhole is lost.
/// </para>
/// <para>Disposal closes the listener and resets every connection. No task is left running or unobserved.</para>
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, ProxyConnection> _connections = new();
    private readonly ConcurrentDictionary<Task, byte> _connectionTasks = new();
    private readonly ILogger _logger;
    private readonly Lock _signalLock = new();
    private readonly Task _acceptLoop;
    private TaskCompletionSource _modeChanged = NewSignal();
    private volatile FaultMode _mode;
    private long _latencyTicks = TimeSpan.FromMilliseconds(100).Ticks;
    private long _trickleIntervalTicks = TimeSpan.FromMilliseconds(100).Ticks;
    private int _trickleBytes = 1;
    private long _connectionCount;
    private long _bytesToUpstream;
    private long _bytesToClient;
    private long _bytesDropped;
    private long _nextId;
    private int _disposed;

    private FaultProxy(string upstreamHost, int upstreamPort, ILogger? logger)
    {
        UpstreamHost = upstreamHost;
        UpstreamPort = upstreamPort;
        _logger = logger ?? NullLogger.Instance;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The upstream host.</summary>
    public string UpstreamHost { get; }

    /// <summary>The upstream port.</summary>
    public int UpstreamPort { get; }

    /// <summary>The proxy's own port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>What clients connect to: <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The mode of every connection that has no mode of its own. Default <see cref="FaultMode.Pass"/>.</summary>
    public FaultMode Mode
    {
        get => _mode;
        set
        {
            _mode = value;
            SignalModeChanged();
        }
    }

    /// <summary>The delay added to each chunk in <see cref="FaultMode.Latency"/> mode, in each direction. Default 100 ms.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>How many bytes <see cref="FaultMode.SlowTrickle"/> forwards per <see cref="TrickleInterval"/>. Default 1.</summary>
    public int TrickleBytes
    {
        get => Volatile.Read(ref _trickleBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _trickleBytes, value);
        }
    }

    /// <summary>The pause between slices in <see cref="FaultMode.SlowTrickle"/> mode. Default 100 ms.</summary>
    public TimeSpan TrickleInterval
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _trickleIntervalTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _trickleIntervalTicks, value.Ticks);
        }
    }

    /// <summary>How many connections the proxy has accepted, including refused ones.</summary>
    public long ConnectionCount => Interlocked.Read(ref _connectionCount);

    /// <summary>Bytes forwarded from clients to the upstream server.</summary>
    public long BytesToUpstream => Interlocked.Read(ref _bytesToUpstream);

    /// <summary>Bytes forwarded from the upstream server to clients.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>Bytes forwarded in both directions.</summary>
    public long BytesForwarded => BytesToUpstream + BytesToClient;

    /// <summary>Bytes received and dropped because of <see cref="FaultMode.Blackhole"/>.</summary>
    public long BytesDropped => Interlocked.Read(ref _bytesDropped);

    /// <summary>
    /// Bytes received and not yet forwarded or dropped, in both directions: what a <see cref="FaultMode.Stall"/> (or a
    /// latency) holds back right now.
    /// </summary>
    public long BytesHeld => _connections.Values.Sum(c => c.BytesHeld);

    /// <summary>The connections open right now, oldest first.</summary>
    public IReadOnlyList<ProxyConnection> Connections => _connections.Values.OrderBy(c => c.Id).ToList();

    internal ILogger Logger => _logger;

    /// <summary>A task that completes at the next change of any mode (proxy or connection). Take it before reading a mode.</summary>
    internal Task ModeChanged
    {
        get
        {
            lock (_signalLock)
            {
                return _modeChanged.Task;
            }
        }
    }

    /// <summary>Starts a proxy in front of <paramref name="upstreamHost"/>:<paramref name="upstreamPort"/>.</summary>
    /// <param name="upstreamHost">The server's host name or address.</param>
    /// <param name="upstreamPort">The server's port.</param>
    /// <param name="logger">Where to log connection events; null for none.</param>
    public static FaultProxy Start(string upstreamHost, int upstreamPort, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamHost);
        ArgumentOutOfRangeException.ThrowIfLessThan(upstreamPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(upstreamPort, 65535);
        return new FaultProxy(upstreamHost, upstreamPort, logger);
    }

    /// <summary>Starts a proxy in front of a test server's client port (<see cref="ZooKeeperTestServer.Port"/> on 127.0.0.1).</summary>
    /// <param name="server">The server.</param>
    /// <param name="logger">Where to log connection events; null for none.</param>
    public static FaultProxy Start(ZooKeeperTestServer server, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Start("127.0.0.1", server.Port, logger);
    }

    /// <summary>Back to <see cref="FaultMode.Pass"/> for everything: the proxy's mode and every connection's own mode and latency are cleared.</summary>
    public void Heal()
    {
        foreach (var connection in _connections.Values)
        {
            connection.ClearOverrides();
        }

        Mode = FaultMode.Pass;
    }

    /// <summary>Aborts every current connection with a TCP reset, on both sides. New connections are not affected.</summary>
    public void Reset()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Reset();
        }
    }

    /// <summary>Stops listening, resets every connection and waits until all proxy tasks have finished.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        Reset();
        await Task.WhenAll(_connectionTasks.Keys);
        SignalModeChanged();
        _stopping.Dispose();
    }

    internal long AddBytes(bool toUpstream, int count)
        => toUpstream ? Interlocked.Add(ref _bytesToUpstream, count) : Interlocked.Add(ref _bytesToClient, count);

    internal void AddDropped(int count) => Interlocked.Add(ref _bytesDropped, count);


    internal void SignalModeChanged()
    {
        TaskCompletionSource previous;
        lock (_signalLock)
        {
            previous = _modeChanged;
            _modeChanged = NewSignal();
        }

        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptLoopAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                _logger.LogDebug(e, "Fault proxy on port {Port}: accept failed", Port);
                continue;
            }

            Interlocked.Increment(ref _connectionCount);
            if (_mode == FaultMode.Refuse)
            {
                SocketAbort.Reset(client);
                continue;
            }

            client.NoDelay = true;
            var connection = new ProxyConnection(this, Interlocked.Increment(ref _nextId), client);
            _connections[connection.Id] = connection;
            var task = connection.RunAsync(stopping);
            _connectionTasks[task] = 0;
            _ = task.ContinueWith(
                (t, state) =>
                {
                    var (proxy, conn) = ((FaultProxy, ProxyConnection))state!;
                    proxy._connections.TryRemove(conn.Id, out _);
                    proxy._connectionTasks.TryRemove(t, out _);
                },
                (this, connection),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}
