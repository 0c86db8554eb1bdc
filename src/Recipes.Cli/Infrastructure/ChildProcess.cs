using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Recipes.Cli.Infrastructure;

/// <summary>
/// The command run by <c>lock</c> and <c>elect</c>: started directly (no shell) with our stdin/stdout/stderr, and
/// stopped politely (a signal, then a kill of its whole tree after a grace period) when ownership ends.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, Task<int> exited)
    {
        _process = process;
        Exited = exited;
    }

    /// <summary>Completes with the exit code when the child exits (128 + n when a signal n ended it).</summary>
    public Task<int> Exited { get; }

    public int Id => _process.Id;

    /// <exception cref="CliException">The command could not be started (exit code 127).</exception>
    public static ChildProcess Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        if (command.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, "No command given: put it after --, e.g. recipes lock /locks/backup -- ./backup.sh");
        }

        var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        try
        {
            var process = Process.Start(info) ?? throw new CliException(ExitCodes.CommandNotFound, $"Could not start '{command[0]}'.");
            return new ChildProcess(process, WaitAsync(process));
        }
        catch (Win32Exception e)
        {
            throw new CliException(ExitCodes.CommandNotFound, $"Could not start '{command[0]}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> and waits up to <paramref name="grace"/> for the child to exit, then kills it
    /// and its descendants. Returns its exit code.
    /// </summary>
    public async Task<int> StopAsync(PosixSignal signal, TimeSpan grace)
    {
        if (!Exited.IsCompleted)
        {
            Signals.Send(_process.Id, signal);
            try
            {
                return await Exited.WaitAsync(grace);
            }
            catch (TimeoutException)
            {
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited meanwhile.
                }
            }
        }

        return await Exited;
    }

    public void Dispose() => _process.Dispose();

    private static async Task<int> WaitAsync(Process process)
    {
        await process.WaitForExitAsync(CancellationToken.None);
        return process.ExitCode;
    }
}
