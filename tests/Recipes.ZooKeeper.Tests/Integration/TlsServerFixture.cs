using Microsoft.Extensions.Logging;
using Recipes.Testing;
using Recipes.ZooKeeper.Tests.FakeServer;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>One TLS-enabled server with a super user for the security tests; the test kit logs everything into <see cref="KitLogs"/>.</summary>
public sealed class TlsServerFixture : IAsyncLifetime
{
    /// <summary>The super user's password: it must never show up in any log.</summary>
    public const string SuperSecret = "super-Secret-4f1d9e";

    private readonly ILoggerFactory _kitLogging;
    private ZooKeeperTestServer? _server;

    public TlsServerFixture()
    {
        _kitLogging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(KitLogs));
    }

    public ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("Not started.");

    internal LogCollector KitLogs { get; } = new();

    public async Task InitializeAsync() => _server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions
    {
        EnableTls = true,
        SuperDigest = "super:" + SuperSecret,
        StartTimeout = TimeSpan.FromSeconds(90),
        Logger = _kitLogging.CreateLogger("Recipes.Testing"),
    });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _kitLogging.Dispose();
    }
}
