using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recipes.Configuration;
using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>
/// W6 config-propagation: the writer session (the bench's raw client) sets a 200-byte JSON document on
/// <c>W6/config</c> <c>W6.writes</c> times (after <c>W6.warmup</c> unmeasured writes); the observer is an application
/// in another session: <c>AddZooKeeper</c> on <c>W6</c> in JSON-document mode, <see cref="W6Settings"/> bound from the
/// "config" section, and <see cref="IOptionsMonitor{TOptions}.OnChange(Action{TOptions, string})"/> (binding included)
/// telling the writer which sequence number it sees. The writer waits for each before the next, as Curator's run
/// waits for its CuratorCache listener. Latency: setData returned -> OnChange with that value.
/// </summary>
internal static class W6ConfigPropagation
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(BenchArgs args, ZooKeeperClient client)
    {
        var writes = args.Int("W6.writes", 1000);
        var warmup = args.Int("W6.warmup", writes);
        var dir = args.Root + "/W6";
        var node = dir + "/config";
        await client.CreateAsync(dir, []);
        await client.CreateAsync(node, Value(0));

        await using var connection = await Sessions.StartAsync(args);
        var configuration = new ConfigurationBuilder()
            .AddZooKeeper(connection, dir, o => o.Mode = ZooKeeperConfigurationMode.JsonDocuments)
            .Build();
        var services = new ServiceCollection();
        services.AddOptions<W6Settings>().Bind(configuration.GetSection("config"));
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<W6Settings>>();
        var seen = Channel.CreateUnbounded<(int Seq, long At)>(new UnboundedChannelOptions { SingleReader = true });
        using var subscription = monitor.OnChange(settings => seen.Writer.TryWrite((settings.Seq, Stopwatch.GetTimestamp())));
        try
        {
            var fromReturn = new LatencyRecorder(writes);
            var fromCall = new LatencyRecorder(writes);
            var setData = new LatencyRecorder(writes);
            ServerCounters.Snapshot before = default;
            var cost = default(ProcessCost);
            long start = 0;
            for (var i = 1 - warmup; i <= writes; i++)
            {
                if (i == 1)
                {
                    before = await ServerCounters.ReadAsync(args.Connect);
                    cost = ProcessCost.Start();
                    start = Stopwatch.GetTimestamp();
                }

                var seq = i + warmup;
                var t0 = Stopwatch.GetTimestamp();
                await client.SetDataAsync(node, Value(seq));
                var t1 = Stopwatch.GetTimestamp();
                var observedAt = await ObservedAsync(seen.Reader, seq);
                if (i <= 0)
                {
                    continue;
                }

                fromReturn.Add(t1, observedAt);
                fromCall.Add(t0, observedAt);
                setData.Add(t0, t1);
            }

            var ticks = Stopwatch.GetTimestamp() - start;
            var (cpu, allocated, _, _) = cost.Stop();
            var after = await ServerCounters.ReadAsync(args.Connect);
            var (c50, c99, cMean, cMax) = fromCall.Summary();
            var (s50, s99, sMean, sMax) = setData.Summary();
            new JsonLine("W6")
                .Figures(writes, (double)ticks / Stopwatch.Frequency, fromReturn)
                .Add("latency", "IOptionsMonitor.OnChange (bound value) - setData returned")
                .Add("warmup_ops", warmup)
                .Add("from_call_p50_ms", c50).Add("from_call_p99_ms", c99).Add("from_call_mean_ms", cMean).Add("from_call_max_ms", cMax)
                .Add("setdata_p50_ms", s50).Add("setdata_p99_ms", s99).Add("setdata_mean_ms", sMean).Add("setdata_max_ms", sMax)
                .ServerCounts(writes, before, after)
                .Add("client_cpu_us_per_op", cpu.TotalMicroseconds / writes)
                .Add("client_alloc_bytes_per_op", (double)allocated / writes)
                .Emit();
        }
        finally
        {
            foreach (var zooKeeper in configuration.Providers.OfType<ZooKeeperConfigurationProvider>())
            {
                await zooKeeper.DisposeAsync();
            }
        }
    }

    /// <summary>The peers' value: <c>{"seq":N,"pad":"xx..."}</c>, padded to 200 bytes.</summary>
    private static byte[] Value(int seq)
    {
        var text = new StringBuilder("{\"seq\":").Append(seq.ToString(CultureInfo.InvariantCulture)).Append(",\"pad\":\"");
        while (text.Length < 198)
        {
            text.Append('x');
        }

        return Encoding.UTF8.GetBytes(text.Append("\"}").ToString());
    }

    private static async Task<long> ObservedAsync(ChannelReader<(int Seq, long At)> reader, int seq)
    {
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            while (true)
            {
                var (observed, at) = await reader.ReadAsync(timeout.Token);
                if (observed >= seq)
                {
                    return at;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"W6: the value with seq {seq} was never observed through IOptionsMonitor.OnChange");
        }
    }

    /// <summary>The bound options: the document's fields.</summary>
    internal sealed class W6Settings
    {
        public int Seq { get; set; }

        public string Pad { get; set; } = "";
    }
}
