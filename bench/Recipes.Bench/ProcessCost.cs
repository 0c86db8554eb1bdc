using System.Diagnostics;
using System.Globalization;

namespace Recipes.Bench;

/// <summary>
/// What this process spent over a measured phase: CPU time (user + system), bytes allocated, gen-0 GCs and (on Linux)
/// context switches of all its threads, the main cost of a pipelined client on a small machine.
/// </summary>
internal readonly struct ProcessCost
{
    private readonly TimeSpan _cpu;
    private readonly long _allocated;
    private readonly int _gen0;
    private readonly long _switches;

    private ProcessCost(TimeSpan cpu, long allocated, int gen0, long switches)
    {
        _cpu = cpu;
        _allocated = allocated;
        _gen0 = gen0;
        _switches = switches;
    }

    public static ProcessCost Start() => new(Cpu(), GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), ContextSwitches());

    public (TimeSpan Cpu, long Allocated, int Gen0, long ContextSwitches) Stop()
    {
        var switches = ContextSwitches();
        return (Cpu() - _cpu, GC.GetTotalAllocatedBytes(precise: false) - _allocated, GC.CollectionCount(0) - _gen0,
            switches < 0 || _switches < 0 ? -1 : switches - _switches);
    }

    private static TimeSpan Cpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Voluntary + involuntary context switches summed over the live threads (-1 where /proc is missing).</summary>
    private static long ContextSwitches()
    {
        try
        {
            long total = 0;
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) ||
                            line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            total += long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }

            return total;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
