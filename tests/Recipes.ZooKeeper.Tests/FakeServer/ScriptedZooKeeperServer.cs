using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>
/// A scripted ZooKeeper "server" on 127.0.0.1 for faults a real server will not produce on demand: torn frames,
/// bad lengths, out-of-order xids, silence. It accepts TCP connections; <see cref="AcceptAsync"/> hands the next
/// one to the test after reading its ConnectRequest, and the test scripts every byte from there.
/// </summary>
internal sealed class ScriptedZooKeeperServer : IAsyncDisposable
{
    public const long DefaultSessionId = 0x1234_5678_9abc_def0;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<TcpClient> _accepted = Channel.CreateUnbounded<TcpClient>();
    private readonly ConcurrentQueue<FakeConnection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public ScriptedZooKeeperServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The 16-byte session password the server hands out by default (1, 2, …, 16).</summary>
    public static byte[] DefaultPassword => [.. Enumerable.Range(1, 16).Select(i => (byte)i)];

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Client connections accepted by TCP and not yet taken by <see cref="AcceptAsync"/>.</summary>
    public int WaitingConnections => _accepted.Reader.Count;

    /// <summary>The next client connection, once its ConnectRequest has been read.</summary>
    public async Task<FakeConnection> AcceptAsync()
    {
        TcpClient tcp;
        using (var timeout = new CancellationTokenSource(FakeConnection.Timeout))
        {
            try
            {
                tcp = await _accepted.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"No client connected to the scripted server within {FakeConnection.Timeout.TotalSeconds} s.");
            }
        }

        var connection = new FakeConnection(tcp);
        _connections.Enqueue(connection);
        await connection.ReadConnectRequestAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
            // The listener is gone; nothing more to accept.
        }

        while (_connections.TryDequeue(out var connection))
        {
            await connection.DisposeAsync();
        }

        while (_accepted.Reader.TryRead(out var tcp))
        {
            tcp.Dispose();
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            tcp.NoDelay = true;
            _accepted.Writer.TryWrite(tcp);
        }
    }
}
