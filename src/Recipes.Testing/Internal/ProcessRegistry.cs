using System.Collections.Concurrent;

namespace Recipes.Testing.Internal;

/// <summary>
/// Every server process and owned temp directory alive in this .NET process, so that they are killed and deleted
/// when the process exits even if a test forgot (or never reached) its dispose.
/// </summary>
internal static class ProcessRegistry
{
    private static readonly ConcurrentDictionary<ServerProcess, byte> Processes = new();
    private static readonly ConcurrentDictionary<string, byte> Directories = new(StringComparer.Ordinal);
    private static int _hooked;

    public static void Add(ServerProcess process)
    {
        Hook();
        Processes.TryAdd(process, 0);
    }

    public static void Remove(ServerProcess process) => Processes.TryRemove(process, out _);

    public static void AddDirectory(string directory)
    {
        Hook();
        Directories.TryAdd(directory, 0);
    }

    public static void RemoveDirectory(string directory) => Directories.TryRemove(directory, out _);

    private static void Hook()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUpAll();
        }
    }

    private static void CleanUpAll()
    {
        foreach (var process in Processes.Keys)
        {
            process.KillNow();
        }

        foreach (var directory in Directories.Keys)
        {
            TestDirectories.TryDelete(directory);
        }
    }
}
