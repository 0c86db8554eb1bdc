using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Recipes.Cli.Tests;

/// <summary>
/// The built <c>recipes</c> CLI run as a real process (<c>dotnet recipes.dll ...</c>), its stdout and stderr collected
/// line by line so a test can wait for a line, signal the process and check its exit code.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    /// <summary>Generous: the test machines may be heavily loaded.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Lock _lock = new();
    private readonly Task _readers;
    private TaskCompletionSource _newLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliProcess(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout), PumpAsync(process.StandardError, _stderr));
    }

    public static string CliPath { get; } = FindCli();

    public int Id => _process.Id;

    public string Stdout => string.Join('\n', _stdout);

    public string Stderr => string.Join('\n', _stderr);

    public string AllOutput => $"stdout:\n{Stdout}\nstderr:\n{Stderr}";

    public static CliProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add(CliPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Nothing from the test runner's environment decides where the CLI connects.
        info.Environment.Remove("ZOOKEEPER_CONNECT");
        info.Environment.Remove("ZOOKEEPER_AUTH");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>Runs the CLI to completion and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    /// <summary>Runs the CLI to completion with extra environment variables.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        await using var cli = Start(arguments, environment);
        var code = await cli.WaitForExitAsync();
        return (code, cli.Stdout, cli.Stderr);
    }

    /// <summary>Waits for a line (stdout or stderr) matching <paramref name="predicate"/>; returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                signal = _newLine.Task;
            }

            var match = _stdout.Concat(_stderr).FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || (_process.HasExited && _readers.IsCompleted))
            {
                throw new TimeoutException($"No line like {what} (exited: {_process.HasExited}).\n{AllOutput}");
            }

            await Task.WhenAny(signal, Task.Delay(left > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left));
        }
    }

    /// <summary>Counts the lines (stdout and stderr) matching <paramref name="predicate"/>.</summary>
    public int Count(Func<string, bool> predicate) => _stdout.Concat(_stderr).Count(predicate);

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The CLI did not exit.\n{AllOutput}");
        }

        await _readers;
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (2 = SIGINT, as Ctrl-C; 15 = SIGTERM).</summary>
    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await _readers;
        _process.Dispose();
    }

    private static string FindCli()
    {
        var configuration = typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "Recipes.Cli", "bin", configuration, "net10.0", "recipes.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"recipes.dll ({configuration}) not found above {AppContext.BaseDirectory}; build src/Recipes.Cli first.");
    }

    private async Task PumpAsync(StreamReader reader, ConcurrentQueue<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Enqueue(line);
            lock (_lock)
            {
                _newLine.TrySetResult();
                _newLine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
