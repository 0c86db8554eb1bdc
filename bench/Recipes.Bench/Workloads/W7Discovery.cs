using System.Diagnostics;
using Recipes.Discovery;
using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>
/// W7 discovery: one <see cref="ServiceDiscovery"/> registers <c>W7.instances</c> DYNAMIC instances of service "bench"
/// while a <see cref="ServiceCache"/> in a second session follows; then <c>W7.single_ops</c> alternating single
/// register/unregister calls, each awaited in the cache (after <c>W7.warmup</c> unmeasured ones), as Curator's peer.
/// Unlike Curator's one-at-a-time <c>registerService</c> loop, the bulk registration issues every register at once:
/// the client pipelines the creates on its one connection.
/// </summary>
internal static class W7Discovery
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(BenchArgs args, ZooKeeperClient client)
    {
        var n = args.Int("W7.instances", 1000);
        var single = args.Int("W7.single_ops", 100);
        var warm = args.Int("W7.warmup", 200);
        var options = new ServiceDiscoveryOptions { BasePath = args.Root + "/W7", RegistrationTimeout = Wait };
        await using var registrarConnection = await Sessions.StartAsync(args);
        await using var readerConnection = await Sessions.StartAsync(args);
        await using var registrar = new ServiceDiscovery(registrarConnection, options);
        await using var reader = new ServiceDiscovery(readerConnection, options);
        await using var cache = reader.CreateCache("bench");
        var waiter = new Waiter();
        cache.Changed += (_, _) => waiter.Check(cache);
        await cache.StartAsync(CancellationToken.None);

        if (warm > 0)
        {
            await SingleOpsAsync(registrar, cache, waiter, "w-", warm, new Figures(warm));
        }

        var instances = Enumerable.Range(0, n).Select(i => Instance("i-" + i, 10000 + i)).ToArray();
        var all = waiter.Expect(list => list.Count >= n);
        var registerCall = new LatencyRecorder(n);
        var before = await ServerCounters.ReadAsync(args.Connect);
        var cost = ProcessCost.Start();
        var t0 = Stopwatch.GetTimestamp();
        await Task.WhenAll(instances.Select(async (instance, i) =>
        {
            var s = Stopwatch.GetTimestamp();
            await registrar.RegisterAsync(instance);
            registerCall.Set(i, s, Stopwatch.GetTimestamp());
        }));
        var t1 = Stopwatch.GetTimestamp();
        var allSeen = await all.WaitAsync(Wait);
        var (cpu, allocated, _, _) = cost.Stop();
        var after = await ServerCounters.ReadAsync(args.Connect);

        var figures = new Figures(Math.Max(single, 1));
        await SingleOpsAsync(registrar, cache, waiter, "x-", single, figures);
        var (c50, c99, cMean, cMax) = registerCall.Summary();
        var (f50, f99, fMean, fMax) = figures.FromCall.Summary();
        var line = new JsonLine("W7")
            .Figures(n, Seconds(t1 - t0), figures.Propagation)
            .Add("latency", "p50/p99: single register/unregister returned -> visible in ServiceCache")
            .Add("register_total_s", Seconds(t1 - t0))
            .Add("cache_all_seen_s", Seconds(allSeen - t0))
            .Add("cache_lag_after_last_register_ms", (allSeen - t1) * 1000.0 / Stopwatch.Frequency)
            .Add("register_call_p50_ms", c50).Add("register_call_p99_ms", c99).Add("register_call_mean_ms", cMean).Add("register_call_max_ms", cMax)
            .Add("single_ops", single)
            .Add("warmup_ops", warm)
            .Add("prop_from_call_p50_ms", f50).Add("prop_from_call_p99_ms", f99).Add("prop_from_call_mean_ms", fMean).Add("prop_from_call_max_ms", fMax)
            .Add("register_prop_from_call_p50_ms", figures.Register.Summary().P50)
            .Add("unregister_prop_from_call_p50_ms", figures.Unregister.Summary().P50)
            .ServerCounts(n, before, after)
            .Add("client_cpu_us_per_op", cpu.TotalMicroseconds / n)
            .Add("client_alloc_bytes_per_op", (double)allocated / n);
        if (single == 0)
        {
            line.Add("p50_ms", null).Add("p99_ms", null);
        }

        line.Emit();
        await Task.WhenAll(instances.Select(i => registrar.UnregisterAsync(i)));
    }

    private static ServiceInstance Instance(string id, int port) => new()
    {
        Name = "bench",
        Id = id,
        Address = "127.0.0.1",
        Port = port,
        ServiceType = ServiceType.Dynamic,
    };

    /// <summary>Alternating single register/unregister calls; each waits until the cache reflects it.</summary>
    private static async Task SingleOpsAsync(ServiceDiscovery registrar, ServiceCache cache, Waiter waiter, string prefix, int count, Figures figures)
    {
        ServiceInstance? extra = null;
        for (var j = 0; j < count; j++)
        {
            var register = j % 2 == 0;
            if (register)
            {
                extra = Instance(prefix + j, 20000 + j);
            }

            var id = extra!.Id;
            var seen = waiter.Expect(register ? list => list.Any(i => i.Id == id) : list => list.All(i => i.Id != id));
            var s = Stopwatch.GetTimestamp();
            if (register)
            {
                await registrar.RegisterAsync(extra);
            }
            else
            {
                await registrar.UnregisterAsync(extra);
            }

            var e = Stopwatch.GetTimestamp();
            waiter.Check(cache); // the change may have reached the cache before the call returned
            var at = await seen.WaitAsync(TimeSpan.FromSeconds(30));
            figures.Propagation.Add(e, at); // as the Java peer: negative when the cache saw it before the call returned
            figures.FromCall.Add(s, at);
            (register ? figures.Register : figures.Unregister).Add(s, at);
        }

        if (count % 2 == 1)
        {
            await registrar.UnregisterAsync(extra!);
        }
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    private sealed class Figures(int capacity)
    {
        public LatencyRecorder Propagation { get; } = new(capacity);

        public LatencyRecorder FromCall { get; } = new(capacity);

        public LatencyRecorder Register { get; } = new(capacity);

        public LatencyRecorder Unregister { get; } = new(capacity);
    }

    /// <summary>Completes (with the timestamp) when the cache's content first satisfies the current condition, as the Java peer's waiter.</summary>
    private sealed class Waiter
    {
        private Expectation? _current;

        public Task<long> Expect(Func<IReadOnlyList<ServiceInstance>, bool> condition)
        {
            var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _current, new Expectation(condition, seen));
            return seen.Task;
        }

        public void Check(ServiceCache cache)
        {
            if (Volatile.Read(ref _current) is { } w && !w.SeenAt.Task.IsCompleted && w.Condition(cache.Instances))
            {
                w.SeenAt.TrySetResult(Stopwatch.GetTimestamp());
            }
        }

        private sealed record Expectation(Func<IReadOnlyList<ServiceInstance>, bool> Condition, TaskCompletionSource<long> SeenAt);
    }
}
