using System.Diagnostics;
using System.Threading.Channels;
using Recipes.Core;
using Recipes.Leader;
using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>
/// W5 leader-failover: <c>W5.candidates</c> <see cref="LeaderLatch"/>es (one session each, this process) on one path;
/// each round the leader stops its latch (graceful resignation) and immediately rejoins with a new latch. Latency is
/// from the leader's <see cref="LeaderLatch.StopAsync"/> call to the next leader's <see cref="LeaderLatch.LeadershipChanged"/>
/// (IsLeader) event. <c>W5.warmup</c> unmeasured rounds first, then <c>W5.rounds</c> measured ones (as Curator's run).
/// </summary>
internal static class W5LeaderFailover
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(BenchArgs args, ZooKeeperClient client)
    {
        var rounds = args.Int("W5.rounds", 100);
        var candidates = args.Int("W5.candidates", 3);
        var warmup = args.Int("W5.warmup", rounds);
        var path = args.Root + "/W5";
        var elected = Channel.CreateUnbounded<(int Id, long At)>();
        var connections = new ZooKeeperConnection[candidates];
        var latches = new LeaderLatch[candidates];
        try
        {
            for (var i = 0; i < candidates; i++)
            {
                connections[i] = await Sessions.StartAsync(args);
                latches[i] = await StartLatchAsync(connections[i], path, i, elected.Writer);
            }

            foreach (var latch in latches)
            {
                await latch.WaitForJoinAsync().WaitAsync(Wait);
            }

            var leader = (await ReadAsync(elected.Reader, "no initial leader")).Id;
            var failover = new LatencyRecorder(rounds);
            var stopCall = new LatencyRecorder(rounds);
            ServerCounters.Snapshot before = default;
            var cost = default(ProcessCost);
            long start = 0;
            for (var r = -warmup; r < rounds; r++)
            {
                if (r == 0)
                {
                    before = await ServerCounters.ReadAsync(args.Connect);
                    cost = ProcessCost.Start();
                    start = Stopwatch.GetTimestamp();
                }

                var old = leader;
                var t0 = Stopwatch.GetTimestamp();
                await latches[old].StopAsync();
                var stopped = Stopwatch.GetTimestamp();
                await latches[old].DisposeAsync();
                latches[old] = await StartLatchAsync(connections[old], path, old, elected.Writer); // rejoin as a new participant
                var next = await ReadAsync(elected.Reader, $"no new leader in round {r}");
                if (r >= 0)
                {
                    failover.Add(t0, next.At);
                    stopCall.Add(t0, stopped);
                }

                leader = next.Id;
                await latches[old].WaitForJoinAsync().WaitAsync(Wait); // all candidates in line again (no server request)
            }

            var ticks = Stopwatch.GetTimestamp() - start;
            var (cpu, allocated, _, _) = cost.Stop();
            var after = await ServerCounters.ReadAsync(args.Connect);
            var (s50, s99, sMean, sMax) = stopCall.Summary();
            new JsonLine("W5")
                .Figures(rounds, (double)ticks / Stopwatch.Frequency, failover)
                .Add("latency", "leader StopAsync() call -> next leader LeadershipChanged(IsLeader)")
                .Add("candidates", candidates)
                .Add("warmup_ops", warmup)
                .Add("unexpected_leader_events", elected.Reader.Count)
                .Add("stop_call_p50_ms", s50).Add("stop_call_p99_ms", s99).Add("stop_call_mean_ms", sMean).Add("stop_call_max_ms", sMax)
                .ServerCounts(rounds, before, after)
                .Add("client_cpu_us_per_op", cpu.TotalMicroseconds / rounds)
                .Add("client_alloc_bytes_per_op", (double)allocated / rounds)
                .Emit();
        }
        finally
        {
            foreach (var latch in latches)
            {
                if (latch is not null)
                {
                    await latch.DisposeAsync();
                }
            }

            foreach (var connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    private static async Task<LeaderLatch> StartLatchAsync(ZooKeeperConnection connection, string path, int id, ChannelWriter<(int Id, long At)> elected)
    {
        var latch = new LeaderLatch(connection, path, new LeaderElectionOptions { ParticipantId = "c" + id });
        latch.LeadershipChanged += (_, e) =>
        {
            if (e.IsLeader)
            {
                elected.TryWrite((id, Stopwatch.GetTimestamp()));
            }
        };
        await latch.StartAsync();
        return latch;
    }

    private static async Task<(int Id, long At)> ReadAsync(ChannelReader<(int Id, long At)> reader, string failure)
    {
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            return await reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException("W5: " + failure);
        }
    }
}
