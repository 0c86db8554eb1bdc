using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Recipes.Testing.Internal;

namespace Recipes.Testing;

/// <summary>
/// A real standalone ZooKeeper server running as a child process (a JVM) on 127.0.0.1, on ports chosen at run time.
/// </summary>
/// <remarks>
/// <para>
/// Needs Java and the ZooKeeper jars: Debian's <c>zookeeper</c> and <c>default-jdk-headless</c> packages, or an
/// Apache release under <c>ZOOKEEPER_HOME</c>. Linux and macOS only.
/// </para>
/// <para>
/// The JVM never outlives the test host: it is killed on dispose, by a <see cref="AppDomain.ProcessExit"/> hook, and
/// by a small watchdog shell process if the .NET process is killed outright. Temp directories left by killed runs
/// are deleted by the next run.
/// </para>
/// <para>
/// <see cref="StopAsync"/> followed by <see cref="StartAsync(CancellationToken)"/> (or <see cref="RestartAsync"/>)
/// keeps the port and the data, so sessions whose timeout has not passed survive the restart.
/// </para>
/// </remarks>
public sealed class ZooKeeperTestServer : IAsyncDisposable
{
    private const int BindAttempts = 3;
    private static readonly TimeSpan RebindDelay = TimeSpan.FromMilliseconds(500);

    private readonly ServerNode _node;
    private readonly ZooKeeperTestServerOptions _options;
    private readonly TlsMaterial? _tls;
    private readonly bool _ownsDirectory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    private ZooKeeperTestServer(ServerNode node, ZooKeeperTestServerOptions options, TlsMaterial? tls, bool ownsDirectory)
    {
        _node = node;
        _options = options;
        _tls = tls;
        _ownsDirectory = ownsDirectory;
    }

    /// <summary>The connection string of the plaintext port: <c>127.0.0.1:port</c>.</summary>
    public string ConnectionString => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The plaintext client port (the same across restarts).</summary>
    public int Port => _node.Ports.Client;

    /// <summary>The TLS client port. Throws <see cref="InvalidOperationException"/> unless <see cref="ZooKeeperTestServerOptions.EnableTls"/> was set.</summary>
    public int SecurePort => _node.Ports.Secure ?? throw TlsNotEnabled();

    /// <summary>The connection string of the TLS port: <c>127.0.0.1:securePort</c> (TLS must be enabled).</summary>
    public string SecureConnectionString => "127.0.0.1:" + SecurePort.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The server's certificate (public part only) for <c>CN=localhost</c>, <c>IP:127.0.0.1</c>, issued by
    /// <see cref="TlsCertificateAuthority"/>. Throws <see cref="InvalidOperationException"/> unless TLS is enabled.
    /// </summary>
    public X509Certificate2 TlsCertificate => _tls?.Certificate ?? throw TlsNotEnabled();

    /// <summary>
    /// The self-signed test CA (public part only) that issued <see cref="TlsCertificate"/>, made fresh for this server:
    /// trust it as a custom root (<c>ZooKeeperTlsOptions.TrustedRoots</c>) to validate the TLS port. Throws
    /// <see cref="InvalidOperationException"/> unless TLS is enabled.
    /// </summary>
    public X509Certificate2 TlsCertificateAuthority => _tls?.Authority ?? throw TlsNotEnabled();

    /// <summary>The directory holding <c>zoo.cfg</c>, <c>server.log</c> and <c>data/</c>.</summary>
    public string DataDirectory => _node.Directory;

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning => _node.IsRunning;

    /// <summary>The JVM's process id while it runs; null otherwise.</summary>
    public int? ProcessId => _node.ProcessId;

    /// <summary>
    /// Starts a server and waits until it serves requests (<c>ruok</c> answers <c>imok</c> and <c>srvr</c> reports its
    /// mode). Free ports are picked at run time; if one was taken meanwhile, the start is retried with new ports.
    /// </summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start (the process is then killed).</param>
    /// <exception cref="ZooKeeperNotInstalledException">Java or the ZooKeeper jars are missing.</exception>
    /// <exception cref="TimeoutException">The server did not answer within <see cref="ZooKeeperTestServerOptions.StartTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The server exited while starting; the message holds its log's tail.</exception>
    public static async Task<ZooKeeperTestServer> StartAsync(ZooKeeperTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options = (options ?? new ZooKeeperTestServerOptions()).Clone();
        options.Validate();
        var java = JavaInstallation.Get();
        if (options.EnableTls && !java.HasNettyCodec)
        {
            throw new ZooKeeperNotInstalledException(
                "TLS needs Netty's codec jar (netty-codec.jar) on the class path, which was not found. " + JavaInstallation.InstallHint);
        }

        TestDirectories.DeleteStaleOnce();
        var ownsDirectory = options.DataDirectory is null;
        var directory = ownsDirectory ? TestDirectories.Create() : Path.GetFullPath(options.DataDirectory!);
        Directory.CreateDirectory(directory);
        var node = new ServerNode("standalone", directory, java, options.Logger);
        try
        {
            var tls = options.EnableTls ? TlsMaterial.Create(directory) : null;
            var attempts = options.ClientPort is null ? BindAttempts : 1;
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                var ports = FreePorts.Allocate(tls is null ? 1 : 2);
                if (options.ClientPort is { } clientPort)
                {
                    FreePorts.EnsureFree(clientPort);
                    ports[0] = clientPort;
                }

                node.Configure(options, new NodePorts(ports[0], tls is null ? null : ports[1]), tls, ensemble: null, myId: 0);
                if (await node.TryStartAsync(options.StartTimeout, requireServing: true, cancellationToken))
                {
                    return new ZooKeeperTestServer(node, options, tls, ownsDirectory);
                }
            }

            throw new InvalidOperationException(options.ClientPort is { } port
                ? $"ZooKeeper could not start on client port {port} (is it in use?); see {node.LogPath}."
                : $"ZooKeeper could not bind free ports after {BindAttempts} attempts; see {node.LogPath}.");
        }
        catch
        {
            await node.KillAsync(CancellationToken.None);
            if (ownsDirectory)
            {
                TestDirectories.TryDelete(directory);
                ProcessRegistry.RemoveDirectory(directory);
            }

            throw;
        }
    }

    /// <summary>
    /// Starts the server again after <see cref="StopAsync"/> or <see cref="KillAsync"/>, on the same port(s) and data
    /// directory, and waits until it serves. Does nothing if it is running.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start (the process is then killed).</param>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        ExclusiveAsync(StartSamePortsAsync, cancellationToken);

    /// <summary>
    /// Stops the server: SIGTERM, then SIGKILL if it has not exited within 10 s. Clients see their connections closed
    /// and new connections refused. Does nothing if it is not running.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the process to exit.</param>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        ExclusiveAsync(_node.StopAsync, cancellationToken);

    /// <summary>Stops the server (as <see cref="StopAsync"/>) and starts it again on the same port and data.</summary>
    /// <param name="cancellationToken">Cancels the restart.</param>
    public Task RestartAsync(CancellationToken cancellationToken = default) =>
        ExclusiveAsync(
            async ct =>
            {
                await _node.StopAsync(ct);
                await StartSamePortsAsync(ct);
            },
            cancellationToken);

    /// <summary>Kills the server with SIGKILL at once (no shutdown, no flush) and waits until the process is gone.</summary>
    /// <param name="cancellationToken">Cancels the wait for the process to exit.</param>
    public Task KillAsync(CancellationToken cancellationToken = default) =>
        ExclusiveAsync(_node.KillAsync, cancellationToken);

    /// <summary>Runs one life-cycle step alone (one at a time per server), refusing it after disposal.</summary>
    private async Task ExclusiveAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await step(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends a four-letter word (e.g. <c>ruok</c>, <c>srvr</c>, <c>cons</c>) to the plaintext port; see <see cref="FourLetterWords.SendAsync"/>.</summary>
    /// <param name="word">Exactly four lower-case ASCII letters.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    public Task<string> SendFourLetterWordAsync(string word, CancellationToken cancellationToken = default)
        => FourLetterWords.SendAsync("127.0.0.1", Port, word, cancellationToken);

    /// <summary>
    /// The server's <c>mntr</c> metrics, e.g. <c>zk_watch_count</c>, <c>zk_ephemerals_count</c>,
    /// <c>zk_num_alive_connections</c>: handy to assert that a test leaked no watches or ephemerals.
    /// </summary>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    public Task<IReadOnlyDictionary<string, string>> GetMonitorStatsAsync(CancellationToken cancellationToken = default)
        => FourLetterWords.GetMonitorStatsAsync("127.0.0.1", Port, cancellationToken);

    /// <summary>Kills the server and deletes its directory unless <see cref="ZooKeeperTestServerOptions.DataDirectory"/> was given.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _node.KillAsync(CancellationToken.None);
            if (_ownsDirectory)
            {
                TestDirectories.TryDelete(_node.Directory);
                ProcessRegistry.RemoveDirectory(_node.Directory);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static InvalidOperationException TlsNotEnabled()
        => new("TLS is not enabled on this server; set ZooKeeperTestServerOptions.EnableTls.");

    private async Task StartSamePortsAsync(CancellationToken cancellationToken)
    {
        // The old process may have left its port in a state the new JVM cannot bind at once; retry for a while.
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (!await _node.TryStartAsync(_options.StartTimeout, requireServing: true, cancellationToken))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"ZooKeeper could not bind port {Port} again within {_options.StartTimeout.TotalSeconds:0.#} s; see {_node.LogPath}.");
            }

            await Task.Delay(RebindDelay, cancellationToken);
        }
    }
}
