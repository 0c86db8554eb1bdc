using System.Diagnostics;
using Recipes.Locks;
using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>
/// W3 lock-uncontended: one session, sequential acquire + release of one <see cref="ZooKeeperMutex"/>,
/// <c>W3.cycles</c> measured cycles after <c>W3.warmup</c> unmeasured ones (as Curator's InterProcessMutex run).
/// </summary>
internal static class W3LockUncontended
{
    public static async Task RunAsync(BenchArgs args, ZooKeeperClient client)
    {
        var cycles = args.Int("W3.cycles", 2000);
        var warmup = args.Int("W3.warmup", cycles);
        await using var connection = await Sessions.StartAsync(args);
        var mutex = new ZooKeeperMutex(connection, args.Root + "/W3/lock");
        for (var i = 0; i < warmup; i++)
        {
            await using var handle = await mutex.AcquireAsync();
        }

        var acquire = new LatencyRecorder(cycles);
        var cycle = new LatencyRecorder(cycles);
        var before = await ServerCounters.ReadAsync(args.Connect);
        var cost = ProcessCost.Start();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < cycles; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var handle = await mutex.AcquireAsync();
            var t1 = Stopwatch.GetTimestamp();
            await handle.DisposeAsync();
            var t2 = Stopwatch.GetTimestamp();
            acquire.Add(t0, t1);
            cycle.Add(t0, t2);
        }

        var ticks = Stopwatch.GetTimestamp() - start;
        var (cpu, allocated, _, _) = cost.Stop();
        var after = await ServerCounters.ReadAsync(args.Connect);
        var (a50, a99, aMean, aMax) = acquire.Summary();
        new JsonLine("W3")
            .Figures(cycles, (double)ticks / Stopwatch.Frequency, cycle)
            .Add("latency", "acquire+release cycle")
            .Add("warmup_ops", warmup)
            .Add("acquire_p50_ms", a50).Add("acquire_p99_ms", a99).Add("acquire_mean_ms", aMean).Add("acquire_max_ms", aMax)
            .ServerCounts(cycles, before, after)
            .Add("client_cpu_us_per_op", cpu.TotalMicroseconds / cycles)
            .Add("client_alloc_bytes_per_op", (double)allocated / cycles)
            .Emit();
    }
}
