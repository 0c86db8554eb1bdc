using System.Globalization;

namespace Recipes.Testing.Internal;

/// <summary>
/// Temp directories <c>recipes-zk-*</c>: each holds an <c>owner.pid</c> file with the .NET process id that made it, so
/// directories left behind by a killed test run can be recognised and deleted by the next run.
/// </summary>
internal static class TestDirectories
{
    internal const string Prefix = "recipes-zk-";
    internal const string OwnerFile = "owner.pid";

    private static int _staleDeleted;

    public static string Create()
    {
        DeleteStaleOnce();
        var directory = Path.Combine(Path.GetTempPath(), Prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        ProcessRegistry.AddDirectory(directory);
        return directory;
    }

    public static void DeleteStaleOnce()
    {
        if (Interlocked.Exchange(ref _staleDeleted, 1) == 0)
        {
            DeleteStale(Path.GetTempPath());
        }
    }

    /// <summary>Deletes <c>recipes-zk-*</c> directories under <paramref name="root"/> whose owner process is gone.</summary>
    internal static int DeleteStale(string root)
    {
        var deleted = 0;
        string[] candidates;
        try
        {
            candidates = Directory.GetDirectories(root, Prefix + "*");
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }

        foreach (var directory in candidates)
        {
            if (IsStale(directory) && TryDelete(directory))
            {
                deleted++;
            }
        }

        return deleted;
    }

    public static bool TryDelete(string directory)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                return true;
            }
            catch (IOException)
            {
                // A dying JVM may still be writing; try again.
                Thread.Sleep(50);
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        return false;
    }

    private static bool IsStale(string directory)
    {
        try
        {
            var pidFile = Path.Combine(directory, OwnerFile);
            if (!File.Exists(pidFile))
            {
                // Made by a process that died before writing the pid: stale once it is clearly not new.
                return Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow.AddMinutes(-10);
            }

            var text = File.ReadAllText(pidFile).Trim();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && !NativeMethods.IsAlive(pid);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
