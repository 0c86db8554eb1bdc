using System.Diagnostics;
using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>
/// W1/W2 common part: one 100-byte znode under the run's root, <c>ops/10</c> unmeasured warm-up operations, then
/// <c>ops</c> measured ones, <c>window</c> outstanding (WORKLOADS.md; the same steps as the Java peers).
/// </summary>
internal static class RawWorkload
{
    public static async Task RunAsync(BenchArgs args, ZooKeeperClient client, string workload, int defaultOps, Func<string, byte[], Func<Task>> operation)
    {
        var ops = args.Int(workload + ".ops", defaultOps);
        var window = args.Int(workload + ".window", 64);
        var warmup = args.Int(workload + ".warmup", ops / 10);
        var path = args.Root + "/" + workload;
        var data = new byte[100];
        Array.Fill(data, (byte)'x');
        await client.CreateAsync(path, data);
        var op = operation(path, data);

        var (_, warmupErrors) = await Pipeline.RunAsync(warmup, window, null, op);
        var latency = new LatencyRecorder(ops);
        var before = await ServerCounters.ReadAsync(args.Connect);
        var cost = ProcessCost.Start();
        var (ticks, errors) = await Pipeline.RunAsync(ops, window, latency, op);
        var (cpu, allocated, gen0, switches) = cost.Stop();
        var after = await ServerCounters.ReadAsync(args.Connect);

        new JsonLine(workload)
            .Figures(ops, (double)ticks / Stopwatch.Frequency, latency)
            .Add("window", window)
            .Add("warmup_ops", warmup)
            .Add("errors", errors + warmupErrors)
            .ServerCounts(ops, before, after)
            .Add("client_cpu_us_per_op", cpu.TotalMicroseconds / ops)
            .Add("client_alloc_bytes_per_op", (double)allocated / ops)
            .Add("client_gen0_gcs", gen0)
            .Add("client_ctx_switches_per_op", switches < 0 ? null : (double)switches / ops)
            .Emit();
    }
}
