using System.Diagnostics;
using Recipes.Core;
using Recipes.Locks;
using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>
/// W4 lock-contended: <c>W4.contenders</c> sessions in this process, one <see cref="ZooKeeperMutex"/> each on the same
/// path; each loops acquire → check-and-set an in-process holder flag → clear it → release, until
/// <c>W4.acquisitions</c> acquisitions in all (after <c>W4.warmup</c> unmeasured ones). Handoff latency is from the
/// holder's release call starting to the next holder's acquire returning, as in Curator's run.
/// </summary>
internal static class W4LockContended
{
    public static async Task RunAsync(BenchArgs args, ZooKeeperClient client)
    {
        var target = args.Int("W4.acquisitions", 2000);
        var contenders = args.Int("W4.contenders", 8);
        var warmup = args.Int("W4.warmup", target);
        var path = args.Root + "/W4/lock";
        var connections = new ZooKeeperConnection[contenders];
        var mutexes = new ZooKeeperMutex[contenders];
        try
        {
            for (var i = 0; i < contenders; i++)
            {
                connections[i] = await Sessions.StartAsync(args);
                mutexes[i] = new ZooKeeperMutex(connections[i], path);
            }

            if (warmup > 0)
            {
                await ContendAsync(mutexes, warmup);
            }

            var before = await ServerCounters.ReadAsync(args.Connect);
            var cost = ProcessCost.Start();
            var run = await ContendAsync(mutexes, target);
            var (cpu, allocated, _, _) = cost.Stop();
            var after = await ServerCounters.ReadAsync(args.Connect);

            var fromStart = new LatencyRecorder(target);
            var fromReturn = new LatencyRecorder(target);
            var overlaps = 0; // the next holder's acquire returned before the previous holder began releasing
            for (var n = 0; n + 1 < target; n++)
            {
                fromStart.Add(run.ReleaseStart[n], run.AcquiredAt[n + 1]);
                fromReturn.Add(run.ReleaseEnd[n], run.AcquiredAt[n + 1]);
                if (run.AcquiredAt[n + 1] < run.ReleaseStart[n])
                {
                    overlaps++;
                }
            }

            var (r50, r99, rMean, rMax) = fromReturn.Summary();
            new JsonLine("W4")
                .Figures(target, (double)run.Ticks / Stopwatch.Frequency, fromStart)
                .Add("latency", "handoff: release call start -> next acquire returns")
                .Add("contenders", contenders)
                .Add("warmup_ops", warmup)
                .Add("violations", run.Violations + overlaps)
                .Add("handoff_from_release_return_p50_ms", r50).Add("handoff_from_release_return_p99_ms", r99)
                .Add("handoff_from_release_return_mean_ms", rMean).Add("handoff_from_release_return_max_ms", rMax)
                .ServerCounts(target, before, after)
                .Add("client_cpu_us_per_op", cpu.TotalMicroseconds / target)
                .Add("client_alloc_bytes_per_op", (double)allocated / target)
                .Emit();
        }
        finally
        {
            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    private sealed record Contention(long Ticks, long[] AcquiredAt, long[] ReleaseStart, long[] ReleaseEnd, int Violations);

    /// <summary>One loop per mutex, on the thread pool, started together; returns when <paramref name="target"/> acquisitions are done.</summary>
    private static async Task<Contention> ContendAsync(ZooKeeperMutex[] mutexes, int target)
    {
        var holder = 0;
        var count = 0;
        var violations = 0;
        var acquiredAt = new long[target];
        var releaseStart = new long[target];
        var releaseEnd = new long[target];
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task LoopAsync(ZooKeeperMutex mutex)
        {
            await go.Task;
            while (true)
            {
                var handle = await mutex.AcquireAsync(TimeSpan.FromSeconds(60));
                var now = Stopwatch.GetTimestamp();
                if (Volatile.Read(ref count) >= target)
                {
                    await handle.DisposeAsync();
                    return;
                }

                var n = Interlocked.Increment(ref count) - 1;
                if (n >= target)
                {
                    await handle.DisposeAsync(); // only possible when exclusion failed; counted below
                    Interlocked.Increment(ref violations);
                    return;
                }

                acquiredAt[n] = now;
                if (Interlocked.CompareExchange(ref holder, 1, 0) != 0)
                {
                    Interlocked.Increment(ref violations);
                }

                Volatile.Write(ref holder, 0);
                releaseStart[n] = Stopwatch.GetTimestamp();
                await handle.DisposeAsync();
                releaseEnd[n] = Stopwatch.GetTimestamp();
            }
        }

        var loops = mutexes.Select(m => Task.Run(() => LoopAsync(m))).ToArray();
        var start = Stopwatch.GetTimestamp();
        go.SetResult();
        await Task.WhenAll(loops);
        return new Contention(Stopwatch.GetTimestamp() - start, acquiredAt, releaseStart, releaseEnd, violations);
    }
}
