using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Recipes.Testing.Internal;

namespace Recipes.Testing.Interop;

/// <summary>
/// An Apache Curator 5.x process that interop tests drive line by line: it acquires and releases an
/// <c>InterProcessMutex</c>, joins a <c>LeaderLatch</c>, registers service instances with <c>ServiceDiscovery</c>,
/// and prints what it sees, so a test can check that Recipes and Curator agree on node names, order and data.
/// </summary>
/// <remarks>
/// <para>
/// The Java source (<c>CuratorPeer.java</c>, embedded in this assembly; its header lists every command and answer) is
/// compiled with <c>javac</c> once per process into a temp directory, against the jars in <c>/usr/share/java</c>
/// (Debian's <c>libcurator-recipes-java</c>, <c>libcurator-discovery-java</c> and <c>libslf4j-java</c> packages).
/// Use <see cref="IsAvailable"/> — or <see cref="CuratorInteropFactAttribute"/> — to skip when they are missing.
/// </para>
/// <para>
/// Every command runs on the peer's single main thread, in order; a blocking command (<c>lock &lt;path&gt;</c> without a
/// timeout) blocks the peer until it completes. The peer is killed on <see cref="DisposeAsync"/>, when this process
/// exits, and — through a watchdog — when this process is killed.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var curator = await CuratorPeer.StartAsync(server.ConnectionString);
/// var acquired = await curator.SendAsync("lock /locks/orders");   // "acquired /locks/orders/_c_…-lock-0000000000"
/// var names = await curator.SendAsync("participants /locks/orders"); // "participants _c_…-lock-0000000000"
/// await curator.SendAsync("release /locks/orders");               // "released"
/// </code>
/// </example>
public sealed class CuratorPeer : IAsyncDisposable
{
    /// <summary>The default time an answer may take.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private const string JarDirectory = "/usr/share/java";
    private const string ResourceName = "Recipes.Testing.Interop.CuratorPeer.java";
    private const string MainClass = "CuratorPeer";
    private const int StandardErrorLines = 40;

    private const string InstallHint =
        "On Debian or Ubuntu install them with 'apt-get install -y default-jdk-headless libcurator-recipes-java " +
        "libcurator-discovery-java libslf4j-java' (scripts/prereqs.sh --tests does).";

    // Needed on the class path; zookeeper.jar's manifest pulls in the rest (netty, metrics, commons-io, ...).
    private static readonly string[] RequiredJars =
    [
        "curator-framework.jar", "curator-client.jar", "curator-recipes.jar", "curator-x-discovery.jar",
        "zookeeper.jar", "zookeeper-jute.jar", "guava.jar", "slf4j-api.jar",
        "jackson-core.jar", "jackson-databind.jar", "jackson-annotations.jar",
    ];

    // Added when present: slf4j-simple logs warnings to stderr (kept for error messages); guava's split-out classes.
    private static readonly string[] OptionalJars = ["slf4j-simple.jar", "failureaccess.jar"];

    private static readonly Lazy<Tools> Located = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ConcurrentDictionary<CuratorPeer, byte> Live = new();
    private static readonly SemaphoreSlim CompileLock = new(1, 1);
    private static string? _compiledDirectory;
    private static int _hooked;

    private readonly Process _process;
    private readonly Process? _watchdog;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Queue<string> _stderr = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private string? _broken;
    private int _disposed;

    private CuratorPeer(Process process, Process? watchdog)
    {
        _process = process;
        _watchdog = watchdog;
    }

    /// <summary>The Java process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the peer wrote to stderr (Curator's warnings and errors, Java stack traces).</summary>
    public string RecentStandardError
    {
        get
        {
            lock (_stderr)
            {
                return string.Join(Environment.NewLine, _stderr);
            }
        }
    }

    /// <summary>
    /// Whether the peer can run here: <c>java</c> and <c>javac</c> are found (<c>JAVA_HOME/bin</c>, then <c>PATH</c>)
    /// and the Curator, ZooKeeper, Guava, Jackson and SLF4J jars are in <c>/usr/share/java</c>. Looked up once.
    /// </summary>
    /// <param name="reason">Why not (naming what is missing and how to install it); empty when available.</param>
    /// <returns>True when <see cref="StartAsync"/> can run.</returns>
    public static bool IsAvailable(out string reason)
    {
        reason = Located.Value.Missing ?? "";
        return Located.Value.Missing is null;
    }

    /// <summary>
    /// Compiles the peer if this process has not yet, starts it against <paramref name="connectionString"/>, and waits
    /// until its <c>CuratorFramework</c> is connected.
    /// </summary>
    /// <param name="connectionString">The ZooKeeper connection string, e.g. <c>127.0.0.1:2181</c>.</param>
    /// <param name="cancellationToken">Cancels the start (the process is killed).</param>
    /// <returns>The running peer; dispose it.</returns>
    /// <exception cref="InvalidOperationException">Java or the jars are missing, compiling failed, or the peer did not connect within 30 s.</exception>
    public static async Task<CuratorPeer> StartAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var tools = Located.Value;
        if (tools.Missing is not null)
        {
            throw new InvalidOperationException("The Curator peer cannot run: " + tools.Missing);
        }

        var classes = await CompileOnceAsync(tools, cancellationToken);
        var info = new ProcessStartInfo(tools.Java)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = classes,
        };
        foreach (var argument in new[]
                 {
                     "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                     "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.logFile=System.err",
                     "-cp", string.Join(Path.PathSeparator, [classes, .. tools.ClassPath]),
                     MainClass, connectionString,
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{tools.Java}'.");
        Process? watchdog = null;
        try
        {
            watchdog = ServerProcess.StartWatchdog(Environment.ProcessId, process.Id);
        }
        catch (Exception)
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }

        var peer = new CuratorPeer(process, watchdog);
        Hook();
        Live.TryAdd(peer, 0);
        peer.StartReading();
        try
        {
            var ready = await peer.ReadLineAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (ready != "ready")
            {
                throw new InvalidOperationException($"The Curator peer did not connect to {connectionString}: '{ready}'. {peer.RecentStandardError}");
            }

            return peer;
        }
        catch (Exception)
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends one command line and returns the peer's one-line answer. Commands run one at a time, in order.
    /// </summary>
    /// <param name="commandLine">The command, e.g. <c>lock /locks/orders 5000</c> (single spaces between arguments, no line breaks).</param>
    /// <param name="timeout">How long the answer may take; <see cref="DefaultTimeout"/> when null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The answer, e.g. <c>acquired /locks/orders/_c_…-lock-0000000000</c>.</returns>
    /// <exception cref="InvalidOperationException">
    /// The peer answered <c>error …</c> (the message carries it), exited, or an earlier command timed out or was
    /// cancelled (its late answer would be mistaken for the next one, so the peer is no longer usable).
    /// </exception>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    public async Task<string> SendAsync(string commandLine, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commandLine);
        if (commandLine.Contains('\n', StringComparison.Ordinal) || commandLine.Contains('\r', StringComparison.Ordinal))
        {
            throw new ArgumentException("A command is one line.", nameof(commandLine));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (_broken is not null)
            {
                throw new InvalidOperationException("The Curator peer is no longer usable: " + _broken);
            }

            string answer;
            try
            {
                await _process.StandardInput.WriteLineAsync(commandLine.AsMemory(), cancellationToken);
                await _process.StandardInput.FlushAsync(cancellationToken);
                answer = await ReadLineAsync(timeout ?? DefaultTimeout, cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException)
            {
                _broken = $"'{commandLine}' got no answer ({e.GetType().Name}).";
                throw;
            }

            if (answer.StartsWith("error ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The Curator peer answered '{answer}' to '{commandLine}'.");
            }

            return answer;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends <c>quit</c> (Curator closes its recipes and session), waits briefly, then kills the process.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!HasExited(_process) && _broken is null)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.StandardInput.WriteLineAsync("quit".AsMemory(), grace.Token);
                await _process.StandardInput.FlushAsync(grace.Token);
                await _process.WaitForExitAsync(grace.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // Did not quit in time (or its stdin is already closed): killed below.
        }

        KillNow();
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL was sent; nothing more to do.
        }

        Live.TryRemove(this, out _);
        _watchdog?.Dispose();
        _process.Dispose();
        _sendLock.Dispose();
    }

    private void StartReading()
    {
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.Enqueue(e.Data);
                while (_stderr.Count > StandardErrorLines)
                {
                    _stderr.Dequeue();
                }
            }
        };
        _process.BeginErrorReadLine();
        _ = Task.Run(async () =>
        {
            try
            {
                while (await _process.StandardOutput.ReadLineAsync() is { } line)
                {
                    _lines.Writer.TryWrite(line);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The process is gone.
            }
            finally
            {
                _lines.Writer.TryComplete();
            }
        });
    }

    private async Task<string> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(bound.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The Curator peer did not answer within {timeout.TotalSeconds:0.#} s. {RecentStandardError}");
        }
        catch (ChannelClosedException)
        {
            // Let stderr drain so the message says why it exited.
            await Task.Delay(200, CancellationToken.None);
            throw new InvalidOperationException($"The Curator peer exited. {RecentStandardError}");
        }
    }

    private void KillNow()
    {
        KillQuietly(_process);
        if (_watchdog is not null)
        {
            KillQuietly(_watchdog);
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or exiting.
        }
    }

    private static void Hook()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var peer in Live.Keys)
                {
                    peer.KillNow();
                }
            };
        }
    }

    private static async Task<string> CompileOnceAsync(Tools tools, CancellationToken cancellationToken)
    {
        await CompileLock.WaitAsync(cancellationToken);
        try
        {
            if (_compiledDirectory is not null)
            {
                return _compiledDirectory;
            }

            var directory = TestDirectories.Create();
            var source = Path.Combine(directory, MainClass + ".java");
            await using (var resource = typeof(CuratorPeer).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing."))
            await using (var file = File.Create(source))
            {
                await resource.CopyToAsync(file, cancellationToken);
            }

            var info = new ProcessStartInfo(tools.Javac)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory,
            };
            foreach (var argument in new[] { "-nowarn", "-encoding", "UTF-8", "-d", directory, "-cp", string.Join(Path.PathSeparator, tools.ClassPath), source })
            {
                info.ArgumentList.Add(argument);
            }

            using var javac = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{tools.Javac}'.");
            var output = javac.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = javac.StandardError.ReadToEndAsync(cancellationToken);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await javac.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                KillQuietly(javac);
                throw;
            }

            if (javac.ExitCode != 0 || !File.Exists(Path.Combine(directory, MainClass + ".class")))
            {
                throw new InvalidOperationException(
                    $"Compiling the Curator peer failed (javac exit code {javac.ExitCode}): {await output}{await errors}");
            }

            _compiledDirectory = directory;
            return directory;
        }
        finally
        {
            CompileLock.Release();
        }
    }

    private static Tools Locate()
    {
        var missing = new List<string>();
        var java = FindTool("java");
        var javac = FindTool("javac");
        if (java is null)
        {
            missing.Add("java");
        }

        if (javac is null)
        {
            missing.Add("javac (a JDK, not only a JRE)");
        }

        var classPath = new List<string>();
        foreach (var jar in RequiredJars)
        {
            var path = Path.Combine(JarDirectory, jar);
            if (File.Exists(path))
            {
                classPath.Add(path);
            }
            else
            {
                missing.Add(path);
            }
        }

        classPath.AddRange(OptionalJars.Select(j => Path.Combine(JarDirectory, j)).Where(File.Exists));
        var reason = missing.Count == 0
            ? null
            : $"Curator interop tests need Java and Curator 5 jars; missing: {string.Join(", ", missing)}. {InstallHint}";
        return new Tools(java ?? "", javac ?? "", classPath, reason);
    }

    private static string? FindTool(string name)
    {
        var javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        var directories = new List<string>();
        if (!string.IsNullOrEmpty(javaHome))
        {
            directories.Add(Path.Combine(javaHome, "bin"));
        }

        directories.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        directories.Add("/usr/bin");
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    private sealed record Tools(string Java, string Javac, IReadOnlyList<string> ClassPath, string? Missing);
}
