using System.Diagnostics;
using System.Globalization;
using Recipes.Core;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Leader.Tests.LeaderTestKit;

namespace Recipes.Leader.Tests;

/// <summary>Leader election on a real 3-node ensemble while ZooKeeper servers die under it.</summary>
[Collection(LeaderEnsembleCollection.Name)]
public sealed class LeaderEnsembleTests(ZooKeeperEnsembleFixture zk, ITestOutputHelper output)
{
    private const int Participants = 3;
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task KillingTheEnsembleLeaderAndTheLeadersServerNeverYieldsTwoLeaders()
    {
        var root = zk.NewRoot(nameof(KillingTheEnsembleLeaderAndTheLeadersServerNeverYieldsTwoLeaders));
        var terms = new List<(string Id, long Term, long Start, long End)>();
        var gate = new Lock();
        var connections = new List<ZooKeeperConnection>();
        var latches = new List<LeaderLatch>();
        try
        {
            for (var i = 0; i < Participants; i++)
            {
                // Half the participants treat every suspension as loss, so the server kills do end terms and hand over.
                var connection = await ZooKeeperConnection.StartAsync(new ZooKeeperConnectionOptions
                {
                    ConnectionString = zk.ConnectionString,
                    Namespace = root,
                    SessionTimeout = SessionTimeout,
                    ConnectionWaitTimeout = Recovery,
                    OwnershipLossPolicy = i % 2 == 0 ? OwnershipLossPolicy.SuspendedIsLoss : OwnershipLossPolicy.Default,
                    LoggerFactory = Logging(output, "p" + i),
                });
                connections.Add(connection);
                latches.Add(StartLatch(connection, "p" + i));
            }

            LeaderLatch StartLatch(ZooKeeperConnection connection, string id)
            {
                var latch = new LeaderLatch(connection, Election, Id(id));
                latch.LeadershipChanged += (_, e) =>
                {
                    if (!e.IsLeader)
                    {
                        return;
                    }

                    // The term's start and the moment its token fires, on one clock (Stopwatch) for every participant.
                    int index;
                    lock (gate)
                    {
                        index = terms.Count;
                        terms.Add((e.Term.ParticipantId, e.Term.Term, Stopwatch.GetTimestamp(), long.MaxValue));
                    }

                    e.Term.LostToken.Register(() =>
                    {
                        var end = Stopwatch.GetTimestamp();
                        lock (gate)
                        {
                            terms[index] = terms[index] with { End = end };
                        }
                    });
                };
                _ = latch.StartAsync();
                return latch;
            }

            await OneLeaderAsync(latches, "the first leader");

            // 1. Kill the ensemble's leader: followers drop their clients while a new leader is elected.
            var ensembleLeader = await zk.Ensemble.FindLeaderAsync();
            output.WriteLine($"killing the ensemble leader, server {ensembleLeader}");
            await KillAndRestartAsync(ensembleLeader, latches, StartLatch, connections, resign: true);

            // 2. Kill the server the leading participant is connected to.
            var leading = latches.Select(l => l.CurrentTerm).FirstOrDefault(t => t is not null) ?? throw new InvalidOperationException("no leader");
            var server = await ServerOfSessionAsync(leading.SessionId);
            output.WriteLine($"killing server {server}, which session 0x{leading.SessionId:x} of leader {leading.ParticipantId} is connected to");
            await KillAndRestartAsync(server, latches, StartLatch, connections, resign: false);

            await EventuallyAsync(
                () =>
                {
                    lock (gate)
                    {
                        return terms.Count(t => t.End == long.MaxValue) == 1;
                    }
                },
                "exactly one term still running");
            lock (gate)
            {
                foreach (var t in terms)
                {
                    output.WriteLine($"term {t.Term} of {t.Id}: {Ms(t.Start)} .. {(t.End == long.MaxValue ? "still leading" : Ms(t.End))}");
                }

                // No two terms overlap: every term ended (its token fired) before the next one started.
                var ordered = terms.OrderBy(t => t.Start).ToList();
                for (var i = 1; i < ordered.Count; i++)
                {
                    Assert.True(
                        ordered[i - 1].End < ordered[i].Start,
                        $"{ordered[i].Id} was told it leads (term {ordered[i].Term}) before {ordered[i - 1].Id}'s term {ordered[i - 1].Term} ended");
                    // A participant that gave up ownership in a blip and kept its node leads again with the same term number.
                    var sameNode = ordered[i].Id == ordered[i - 1].Id && ordered[i].Term == ordered[i - 1].Term;
                    Assert.True(sameNode || ordered[i].Term > ordered[i - 1].Term, "terms must grow");
                }

                Assert.Equal(latches.Single(l => l.IsLeader).ParticipantId, ordered[^1].Id);
            }
        }
        finally
        {
            foreach (var latch in latches)
            {
                await latch.DisposeAsync();
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static string Ms(long timestamp) => (timestamp * 1000.0 / Stopwatch.Frequency).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>
    /// Kills <paramref name="server"/>, waits for one leader on the two left, optionally makes it resign (it rejoins
    /// with a new latch on the same connection) so leadership is handed over on the degraded ensemble, and restarts the server.
    /// </summary>
    private async Task KillAndRestartAsync(int server, List<LeaderLatch> latches, Func<ZooKeeperConnection, string, LeaderLatch> startLatch, List<ZooKeeperConnection> connections, bool resign)
    {
        try
        {
            await zk.Ensemble.KillNodeAsync(server);
            await zk.Ensemble.WaitForQuorumAsync(Recovery);
            await OneLeaderAsync(latches, $"one leader after server {server} died");
            if (resign)
            {
                var index = latches.FindIndex(l => l.IsLeader);
                var leader = latches[index];
                output.WriteLine($"{leader.ParticipantId} resigns while server {server} is down");
                await leader.StopAsync();
                await leader.DisposeAsync();
                latches[index] = startLatch(connections[index], leader.ParticipantId);
                await OneLeaderAsync(latches, $"a new leader after the resignation while server {server} is down");
            }
        }
        finally
        {
            await zk.Ensemble.StartNodeAsync(server);
            await zk.Ensemble.WaitForQuorumAsync(Recovery);
        }

        await OneLeaderAsync(latches, $"one leader after server {server} came back");
    }

    /// <summary>Waits until exactly one latch leads and every participant agrees (through the server) on who it is.</summary>
    private static async Task OneLeaderAsync(List<LeaderLatch> latches, string what)
    {
        var deadline = DateTime.UtcNow + Recovery;
        while (true)
        {
            var leaders = latches.Where(l => l.IsLeader).ToList();
            if (leaders.Count == 1)
            {
                try
                {
                    var seen = await Task.WhenAll(latches.Select(l => l.GetLeaderAsync()));
                    if (seen.All(p => p?.Id == leaders[0].ParticipantId) && leaders[0].IsLeader)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is Recipes.ZooKeeper.ZooKeeperException or TimeoutException)
                {
                    // Still reconnecting.
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what} (leaders: {string.Join(", ", leaders.Select(l => l.ParticipantId))})");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The number of the running server whose <c>cons</c> lists <paramref name="sessionId"/>.</summary>
    private async Task<int> ServerOfSessionAsync(long sessionId)
    {
        var needle = "sid=0x" + sessionId.ToString("x", CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + Recovery;
        while (true)
        {
            for (var node = 1; node <= zk.Ensemble.NodeCount; node++)
            {
                if (zk.Ensemble.IsNodeRunning(node) && (await zk.Ensemble.SendFourLetterWordAsync(node, "cons")).Contains(needle, StringComparison.Ordinal))
                {
                    return node;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No server lists session 0x{sessionId:x}");
            }

            await Task.Delay(50);
        }
    }
}
