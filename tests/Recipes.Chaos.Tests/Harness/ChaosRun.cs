using System.Globalization;
using Microsoft.Extensions.Logging;
using Recipes.Chaos.Tests.Faults;
using Recipes.Chaos.Tests.History;
using Recipes.Chaos.Tests.Invariants;
using Recipes.Chaos.Tests.Workloads;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>
/// One chaos run: start the actors and workloads, inject a seeded fault schedule, heal, run the quiescent checks,
/// stop, check the invariants over the history, and report.
/// </summary>
internal static class ChaosRun
{
    public static async Task<ChaosReport> RunAsync(
        string scenario,
        ChaosSettings settings,
        ChaosCluster cluster,
        int actorCount,
        Func<IReadOnlyList<ChaosActor>, IReadOnlyList<IChaosWorkload>> workloads,
        ITestOutputHelper output)
    {
        var startedAt = DateTimeOffset.UtcNow;
        output.WriteLine($"chaos {scenario}: seed {settings.Seed} ({settings.Mode} mode; replay with {ChaosSettings.SeedVariable}={settings.Seed})");
        var root = "/chaos-" + scenario + "-" + Guid.NewGuid().ToString("N")[..8];
        await using (var setup = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = cluster.ConnectionString }))
        {
            await setup.CreateAsync(root, null, CreateMode.Persistent);
        }

        // Errors only: every fault makes the recipes log warnings by design.
        using var logging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Error).AddProvider(new TestOutputLoggerProvider(output, minimumLevel: LogLevel.Error)));
        var actors = new List<ChaosActor>();
        try
        {
            for (var i = 1; i <= actorCount; i++)
            {
                actors.Add(await ChaosActor.StartAsync("actor-" + i.ToString(CultureInfo.InvariantCulture), cluster.Endpoints, root, logging));
            }

            var history = new ChaosHistory();
            var context = new ChaosContext(actors, cluster, root, history, settings.Seed, output);
            var running = workloads(actors);
            using var stop = new CancellationTokenSource();
            foreach (var workload in running)
            {
                await workload.StartAsync(context, stop.Token);
            }

            var schedule = FaultSchedule.Generate(settings.Seed, settings.FaultPhase, actorCount, cluster.IsEnsemble, ChaosActor.SessionTimeout);
            output.WriteLine($"schedule ({schedule.Count} faults):{string.Concat(schedule.Select(s => "\n  " + s))}");
            var injector = new FaultInjector(context, a => history.HasOpenHold(a.Name));
            await injector.RunAsync(schedule, CancellationToken.None);

            foreach (var actor in actors)
            {
                actor.Heal();
            }

            history.Record("chaos", HistoryEventKind.FaultEnded, "all healed");
            var violations = new List<Violation>();
            var convergence = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var check in running.SelectMany(w => w.QuiescentChecks))
            {
                var result = await check.CheckAsync(context, CancellationToken.None);
                violations.AddRange(result.Violations);
                convergence[check.Name] = Math.Round(result.Convergence.TotalMilliseconds, 1);
            }

            foreach (var workload in running)
            {
                await workload.StopAsync();
            }

            history.Sweep();
            var events = history.Snapshot();
            var fenced = 0;
            foreach (var invariant in running.SelectMany(w => w.Invariants).DistinctBy(i => i.GetType()))
            {
                violations.AddRange(invariant.Check(events));
                if (invariant is ExclusiveOwnershipInvariant exclusive)
                {
                    fenced += exclusive.FencedOverlaps;
                }
            }

            var report = new ChaosReport
            {
                Scenario = scenario,
                Mode = settings.Mode,
                Seed = settings.Seed,
                StartedAt = startedAt,
                DurationSeconds = Math.Round((DateTimeOffset.UtcNow - startedAt).TotalSeconds, 1),
                FaultPhaseSeconds = settings.FaultPhase.TotalSeconds,
                Actors = actorCount,
                Ensemble = cluster.IsEnsemble,
                Acquisitions = running.ToDictionary(w => w.Name, w => w.Acquisitions),
                Errors = running.ToDictionary(w => w.Name, w => w.Errors),
                Faults = injector.Counts.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(), p => p.Value),
                FaultsTotal = injector.Counts.Values.Sum(),
                FaultsSkipped = injector.Skipped,
                LostTokens = events.Count(e => e.Kind == HistoryEventKind.Lost),
                FencedOverlaps = fenced,
                WritesAccepted = events.Count(e => e.Kind == HistoryEventKind.WriteAccepted),
                StaleWritesRejected = events.Count(e => e.Kind == HistoryEventKind.WriteRejected),
                RecoveryMs = ChaosReport.Recovery(events),
                ConvergenceMs = convergence,
                Violations = violations.Count,
                ViolationDetails = violations.Take(20).Select(v => v.ToString()).ToList(),
            };
            output.WriteLine(report.Describe());
            output.WriteLine($"report appended to {report.Append()}");
            if (violations.Count > 0)
            {
                // The whole history helps to understand a violation.
                output.WriteLine("history:" + string.Concat(events.Select(e => "\n  " + e)));
            }

            return report;
        }
        finally
        {
            foreach (var actor in actors)
            {
                await actor.DisposeAsync();
            }
        }
    }
}
