using System.Runtime.InteropServices;

namespace Recipes.Cli.Infrastructure;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) or SIGTERM into a cancellation, so commands release locks and leadership and
/// stop their child before exiting. A second signal is left to the runtime, which ends the process at once.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Cancelled on the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Whether a signal arrived.</summary>
    public bool Requested => _cancel.IsCancellationRequested;

    /// <summary>The signal that arrived (SIGINT by default, for forwarding to a child).</summary>
    public PosixSignal Signal => Volatile.Read(ref _signal) == (int)PosixSignal.SIGTERM ? PosixSignal.SIGTERM : PosixSignal.SIGINT;

    /// <summary>130 after Ctrl-C, 143 after SIGTERM.</summary>
    public int ExitCode => Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) != 0)
        {
            return; // the second signal: let the runtime terminate the process
        }

        context.Cancel = true;
        _cancel.Cancel();
    }
}
