using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Recipes.Testing.Internal;

/// <summary>
/// One ZooKeeper server in its own directory (<c>zoo.cfg</c>, <c>server.log</c>, <c>data/</c>): writes its
/// configuration, starts the JVM, waits until it answers, stops or kills it. Callers serialise calls.
/// </summary>
internal sealed class ServerNode
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly JavaInstallation _java;
    private readonly ILogger _logger;
    private ServerProcess? _process;
    private IReadOnlyList<string> _jvmArguments = [];

    public ServerNode(string name, string directory, JavaInstallation java, ILogger? logger)
    {
        Name = name;
        Directory = directory;
        _java = java;
        _logger = logger ?? NullLogger.Instance;
        Ports = new NodePorts(0);
        System.IO.Directory.CreateDirectory(DataPath);
    }

    public string Name { get; }

    public string Directory { get; }

    public string DataPath => Path.Combine(Directory, "data");

    public string ConfigPath => Path.Combine(Directory, "zoo.cfg");

    public string LogPath => Path.Combine(Directory, "server.log");

    public NodePorts Ports { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>Writes <c>zoo.cfg</c> (and <c>myid</c> for an ensemble member) for these ports.</summary>
    public void Configure(ZooKeeperTestServerOptions options, NodePorts ports, TlsMaterial? tls, IReadOnlyList<NodePorts>? ensemble, int myId)
    {
        Ports = ports;
        File.WriteAllText(ConfigPath, ServerConfig.Build(options, DataPath, ports, tls, ensemble));
        if (ensemble is not null)
        {
            File.WriteAllText(Path.Combine(DataPath, "myid"), myId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        }

        _jvmArguments = ServerConfig.JvmArguments(options, _java, ConfigPath);
    }

    /// <summary>
    /// Starts the JVM and waits until <c>ruok</c> answers <c>imok</c> (and, when <paramref name="requireServing"/>,
    /// until <c>srvr</c> reports a mode). Returns false, with the process gone, if a port was already taken.
    /// </summary>
    public async Task<bool> TryStartAsync(TimeSpan timeout, bool requireServing, CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            return true;
        }

        await DiscardProcessAsync(CancellationToken.None);
        var logOffset = File.Exists(LogPath) ? new FileInfo(LogPath).Length : 0;
        var stopwatch = Stopwatch.StartNew();
        var process = ServerProcess.Start(_java.JavaPath, _jvmArguments, LogPath, Directory);
        _process = process;
        var lastProbe = "no probe yet";
        _logger.LogInformation("Started ZooKeeper {Name} (pid {Pid}) on 127.0.0.1:{Port}, directory {Directory}", Name, process.Id, Ports.Client, Directory);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    await DiscardProcessAsync(CancellationToken.None);
                    var log = ReadLog(logOffset);
                    if (IsPortInUse(log))
                    {
                        _logger.LogInformation("ZooKeeper {Name} could not bind its ports; {Log}", Name, Tail(log));
                        return false;
                    }

                    throw new InvalidOperationException(
                        $"ZooKeeper {Name} exited while starting. Last lines of {LogPath}:{Environment.NewLine}{Tail(log)}");
                }

                (var ready, lastProbe) = await ProbeAsync(requireServing, cancellationToken);
                if (ready)
                {
                    _logger.LogInformation("ZooKeeper {Name} is ready after {Elapsed} ms", Name, stopwatch.ElapsedMilliseconds);
                    return true;
                }

                if (stopwatch.Elapsed > timeout)
                {
                    await DiscardProcessAsync(CancellationToken.None);
                    throw new TimeoutException(
                        $"ZooKeeper {Name} did not answer on 127.0.0.1:{Ports.Client} within {timeout.TotalSeconds:0.#} s (last probe: {lastProbe}). " +
                        $"Last lines of {LogPath}:{Environment.NewLine}{Tail(ReadLog(logOffset))}");
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            await DiscardProcessAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>SIGTERM, then SIGKILL if the JVM is still there after a grace period.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        await process.StopAsync(StopGrace, cancellationToken);
        _process = null;
        _logger.LogInformation("Stopped ZooKeeper {Name}", Name);
    }

    /// <summary>SIGKILL at once.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        await process.KillAsync(cancellationToken);
        _process = null;
        _logger.LogInformation("Killed ZooKeeper {Name}", Name);
    }

    public Task<string> SendFourLetterWordAsync(string word, CancellationToken cancellationToken)
        => FourLetterWords.SendAsync("127.0.0.1", Ports.Client, word, cancellationToken);

    /// <summary>The <c>Mode:</c> line of <c>srvr</c> (leader, follower, standalone...), or null if not serving/unreachable.</summary>
    public async Task<string?> GetModeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            var srvr = await SendFourLetterWordAsync("srvr", timeout.Token);
            return FourLetterWords.ParseMode(srvr);
        }
        catch (Exception e) when (IsProbeFailure(e, cancellationToken))
        {
            return null;
        }
    }

    internal static bool IsPortInUse(string log)
        => log.Contains("Address already in use", StringComparison.OrdinalIgnoreCase)
            || log.Contains("BindException", StringComparison.Ordinal);

    internal static string Tail(string log, int maxLines = 40)
    {
        var lines = log.Split('\n');
        var tail = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - maxLines)));
        return tail.Length > 8000 ? tail[^8000..] : tail;
    }

    private static bool IsProbeFailure(Exception e, CancellationToken cancellationToken)
        => e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>One readiness probe: whether the server is ready, and what it said (for the timeout message).</summary>
    private async Task<(bool Ready, string Observed)> ProbeAsync(bool requireServing, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            var ruok = await SendFourLetterWordAsync("ruok", timeout.Token);
            if (ruok != "imok")
            {
                return (false, $"ruok answered '{ruok}'");
            }

            if (!requireServing)
            {
                return (true, "imok");
            }

            var srvr = await SendFourLetterWordAsync("srvr", timeout.Token);
            return FourLetterWords.ParseMode(srvr) is not null
                ? (true, "serving")
                : (false, $"srvr answered '{srvr.Trim()}'");
        }
        catch (Exception e) when (IsProbeFailure(e, cancellationToken))
        {
            return (false, e is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : e.Message);
        }
    }

    private async Task DiscardProcessAsync(CancellationToken cancellationToken)
    {
        var process = _process;
        _process = null;
        if (process is not null)
        {
            await process.KillAsync(cancellationToken);
        }
    }

    private string ReadLog(long offset)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (offset > 0 && offset <= stream.Length)
            {
                stream.Seek(offset, SeekOrigin.Begin);
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (IOException e)
        {
            return $"(could not read the log: {e.Message})";
        }
    }
}
