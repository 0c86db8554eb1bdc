using Xunit;

namespace Recipes.Testing.Xunit;

/// <summary>
/// An xunit fixture that starts one <see cref="ZooKeeperTestServer"/> (default options) for a test class or collection
/// and kills it afterwards. Tests share the server, so each should work under its own root from <see cref="NewRoot"/>.
/// </summary>
/// <example>
/// Collection definitions must live in the test assembly:
/// <code>
/// [CollectionDefinition(Name)]
/// public sealed class ZooKeeperCollection : ICollectionFixture&lt;ZooKeeperServerFixture&gt;
/// {
///     public const string Name = "ZooKeeper";
/// }
///
/// [Collection(ZooKeeperCollection.Name)]
/// public sealed class MyTests(ZooKeeperServerFixture zk)
/// {
///     [Fact]
///     public async Task Works()
///     {
///         var root = zk.NewRoot(nameof(Works));
///         // connect a client to zk.ConnectionString and create root first
///     }
/// }
/// </code>
/// </example>
public sealed class ZooKeeperServerFixture : IAsyncLifetime
{
    private ZooKeeperTestServer? _server;

    /// <summary>The server (available once xunit has initialised the fixture).</summary>
    public ZooKeeperTestServer Server => _server ?? throw new InvalidOperationException("The fixture has not been initialised.");

    /// <summary>The server's connection string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <summary>
    /// A unique root path for one test, <c>/t-&lt;name&gt;-&lt;8 hex digits&gt;</c> (<c>/t-&lt;8 hex digits&gt;</c> without a
    /// name). The node is not created; the test creates it (or uses it as a chroot once created).
    /// </summary>
    /// <param name="testName">A readable part for the path; characters other than letters, digits, '-' and '_' become '_'.</param>
    public string NewRoot(string? testName = null) => RootNames.New(testName);

    /// <summary>
    /// How long the fixtures give a server (or an ensemble's quorum) to start: 2 minutes, not the kit's 30 s default,
    /// because a JVM starting on a 2-core machine shared with parallel builds and test runs has been seen to need more.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Starts the server (called by xunit).</summary>
    public async Task InitializeAsync() => _server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { StartTimeout = StartTimeout });

    /// <summary>Kills the server and deletes its data (called by xunit).</summary>
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
