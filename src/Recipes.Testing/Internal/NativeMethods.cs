using System.Runtime.InteropServices;

namespace Recipes.Testing.Internal;

/// <summary>The one POSIX call the test kit needs: <c>kill(2)</c>, to send SIGTERM and to probe whether a pid lives.</summary>
internal static class NativeMethods
{
    public const int SigTerm = 15;

    private const int Eperm = 1;

    /// <summary>Sends a signal; false if the process does not exist (or may not be signalled).</summary>
    public static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Whether a process with this pid exists (a zombie counts as alive).</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (Kill(pid, 0) == 0)
        {
            return true;
        }

        // EPERM: it exists but belongs to someone else.
        return Marshal.GetLastPInvokeError() == Eperm;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
