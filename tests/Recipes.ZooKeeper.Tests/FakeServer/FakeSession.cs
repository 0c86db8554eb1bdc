using Microsoft.Extensions.Logging;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>A <see cref="ZooKeeperClient"/> connected to a <see cref="ScriptedZooKeeperServer"/>, with its first connection handshaken.</summary>
internal sealed class FakeSession : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;

    private FakeSession(ScriptedZooKeeperServer server, ZooKeeperClient client, StateRecorder states, LogCollector logs, ILoggerFactory loggerFactory)
    {
        Server = server;
        Client = client;
        States = states;
        Logs = logs;
        _loggerFactory = loggerFactory;
    }

    public static TimeSpan Timeout => FakeConnection.Timeout;

    public ScriptedZooKeeperServer Server { get; }

    public ZooKeeperClient Client { get; }

    public StateRecorder States { get; }

    public LogCollector Logs { get; }

    /// <summary>The current server-side connection (the first one, unless a test accepted another).</summary>
    public FakeConnection Connection { get; set; } = null!;

    /// <summary>Creates the client; does not handshake (see <see cref="StartAsync"/>).</summary>
    public static FakeSession Create(Action<ZooKeeperClientOptions>? configure = null, string chroot = "")
    {
        var server = new ScriptedZooKeeperServer();
        var logs = new LogCollector();
        var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var options = new ZooKeeperClientOptions { ConnectionString = server.ConnectionString + chroot, LoggerFactory = loggerFactory };
        configure?.Invoke(options);
        var client = ZooKeeperClient.Create(options);
        return new FakeSession(server, client, new StateRecorder(client), logs, loggerFactory);
    }

    /// <summary>Creates the client and completes its first handshake with the given negotiated timeout.</summary>
    public static async Task<FakeSession> StartAsync(Action<ZooKeeperClientOptions>? configure = null, int negotiatedTimeoutMs = 30_000, string chroot = "")
    {
        var session = Create(configure, chroot);
        session.Connection = await session.Server.AcceptAsync();
        await session.Connection.SendConnectResponseAsync(negotiatedTimeoutMs);
        await session.Client.WaitForConnectedAsync().WaitAsync(Timeout);
        return session;
    }

    /// <summary>Accepts the client's next connection, checks it re-attaches the same session, and completes the handshake.</summary>
    public async Task<FakeConnection> AcceptReconnectAsync(int negotiatedTimeoutMs = 30_000)
    {
        var connection = await Server.AcceptAsync();
        Assert.Equal(ScriptedZooKeeperServer.DefaultSessionId, connection.ConnectRequest.SessionId);
        Assert.Equal(ScriptedZooKeeperServer.DefaultPassword, connection.ConnectRequest.Password);
        await connection.SendConnectResponseAsync(negotiatedTimeoutMs);
        Connection = connection;
        await States.WaitForAsync(ZooKeeperState.Connected, occurrence: 2);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        // Server first: the client then finds itself disconnected and closes without waiting for a closeSession reply.
        await Server.DisposeAsync();
        await Client.DisposeAsync().AsTask().WaitAsync(Timeout);
        _loggerFactory.Dispose();
    }
}
