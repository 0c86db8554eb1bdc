using System.Runtime.InteropServices;

namespace Recipes.Cli.Infrastructure;

/// <summary>Sends POSIX signals (.NET has no managed API for anything but SIGKILL).</summary>
internal static class Signals
{
    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is gone.</summary>
    public static bool Send(int pid, PosixSignal signal) => Kill(pid, ToNumber(signal)) == 0;

    private static int ToNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGTERM => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "Only SIGHUP, SIGINT, SIGQUIT and SIGTERM are sent."),
    };

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
