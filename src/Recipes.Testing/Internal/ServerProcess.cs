using System.Diagnostics;
using System.Globalization;

namespace Recipes.Testing.Internal;

/// <summary>
/// One running JVM. It is started through <c>/bin/sh -c 'exec java ...'</c> so that its output goes straight to a
/// log file (no pipes back to .NET) and the pid we hold is the JVM's own. A second tiny shell process, the watchdog,
/// kills the JVM with SIGKILL as soon as this .NET process disappears, so servers never outlive a test host that was
/// itself killed (the registry's ProcessExit hook covers an orderly exit, dispose covers the normal case).
/// </summary>
internal sealed class ServerProcess
{
    // $1: log file; the rest is the command. stdin is /dev/null so the JVM holds none of our handles.
    private const string LaunchScript = "log=\"$1\"; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1";

    // $1: the owner (.NET) pid, $2: the JVM pid. Runs while the JVM lives; kills it once the owner is gone.
    private const string WatchdogScript =
        "exec </dev/null >/dev/null 2>&1; " +
        "while kill -0 \"$2\"; do " +
        "if ! kill -0 \"$1\"; then kill -9 \"$2\"; exit 0; fi; " +
        "sleep 1; " +
        "done";

    private readonly Process _process;
    private readonly Process? _watchdog;
    private int _cleanedUp;

    private ServerProcess(Process process, Process? watchdog)
    {
        _process = process;
        _watchdog = watchdog;
        Id = process.Id;
    }

    /// <summary>The JVM's pid.</summary>
    public int Id { get; }

    /// <summary>Whether the JVM has exited.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>Starts <c>java</c> with these arguments, appending its stdout and stderr to <paramref name="logPath"/>.</summary>
    public static ServerProcess Start(string javaPath, IEnumerable<string> arguments, string logPath, string workingDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The ZooKeeper test servers run on Linux and macOS only.");
        }

        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(LaunchScript);
        info.ArgumentList.Add("zookeeper-test-server");
        info.ArgumentList.Add(logPath);
        info.ArgumentList.Add(javaPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start /bin/sh.");
        Process? watchdog = null;
        try
        {
            watchdog = StartWatchdog(Environment.ProcessId, process.Id);
        }
        catch (Exception)
        {
            TryKill(process);
            process.Dispose();
            throw;
        }

        var result = new ServerProcess(process, watchdog);
        ProcessRegistry.Add(result);
        return result;
    }

    /// <summary>Starts a watchdog that SIGKILLs <paramref name="targetPid"/> once <paramref name="ownerPid"/> is gone.</summary>
    internal static Process StartWatchdog(int ownerPid, int targetPid)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(WatchdogScript);
        info.ArgumentList.Add("zookeeper-test-watchdog");
        info.ArgumentList.Add(ownerPid.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(targetPid.ToString(CultureInfo.InvariantCulture));
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the watchdog shell.");
    }

    /// <summary>Sends SIGTERM, waits up to <paramref name="grace"/>, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!HasExited)
        {
            NativeMethods.SendSignal(Id, NativeMethods.SigTerm);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(grace);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Did not stop in time: fall through to SIGKILL.
            }
        }

        await KillAsync(cancellationToken);
    }

    /// <summary>SIGKILL now and wait until the process is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _cleanedUp) != 0)
        {
            return;
        }

        TryKill(_process);
        try
        {
            await _process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            CleanUp();
        }
    }

    /// <summary>SIGKILL without waiting (used on process exit).</summary>
    public void KillNow()
    {
        if (Volatile.Read(ref _cleanedUp) != 0)
        {
            return;
        }

        TryKill(_process);
        if (_watchdog is not null)
        {
            TryKill(_watchdog);
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone, or exiting.
        }
    }

    private void CleanUp()
    {
        if (Interlocked.Exchange(ref _cleanedUp, 1) != 0)
        {
            return;
        }

        ProcessRegistry.Remove(this);
        if (_watchdog is not null)
        {
            TryKill(_watchdog);
            _watchdog.Dispose();
        }

        _process.Dispose();
    }
}
