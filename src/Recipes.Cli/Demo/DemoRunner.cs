using Microsoft.Extensions.Logging.Abstractions;
using Recipes.Cli.Infrastructure;
using Recipes.Core;
using Recipes.Testing;

namespace Recipes.Cli.Demo;

/// <summary>
/// Runs the demo: an embedded ZooKeeper (or <c>--connect</c>), a few workers, the script's steps, and a summary whose
/// checks decide the exit code.
/// </summary>
internal sealed class DemoRunner(CliContext cli, int workerCount, bool follow, string? connect)
{
    public async Task<int> RunAsync()
    {
        var cancellation = cli.Cancellation;
        var narrator = new DemoNarrator(cli.Output.Out, cli.Output.Verbose);
        var failures = new List<string>();
        var interrupted = false;
        ZooKeeperTestServer? server = null;
        DemoContext? demo = null;
        try
        {
            string connectionString;
            if (connect is null)
            {
                narrator.Say("Starting an embedded Apache ZooKeeper on 127.0.0.1 (a free port)...");
                server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { StartTimeout = TimeSpan.FromSeconds(120) }, cancellation);
                connectionString = server.ConnectionString;
                narrator.Say($"ZooKeeper is up at {connectionString}");
            }
            else
            {
                connectionString = connect;
                narrator.Say($"Using ZooKeeper at {connectionString}");
            }

            demo = new DemoContext(connectionString, "/recipes-demo-" + Guid.NewGuid().ToString("N")[..8], narrator);
            narrator.Say($"{workerCount} workers, each with its own session, elect a leader at {demo.LeaderPath} and take turns on the lock {demo.LockPath}");
            narrator.Say($"Each also registers in discovery (service {DemoContext.ServiceName} under {demo.ServicesPath}) and binds hot-reloaded options from {demo.ConfigPath}");
            demo.Operator = await DemoOperator.StartAsync(demo, ConnectionOptions(demo), cancellation);
            await StartWorkersAsync(demo, cancellation);
            await RunStepsAsync(demo, DemoScript.Opening(workerCount), cancellation);
            while (follow)
            {
                await RunStepsAsync(demo, DemoScript.Encore(workerCount), cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            interrupted = true;
            narrator.Say("Interrupted: stopping the workers (they release the lock and leave the election)...");
        }
        catch (DemoCheckException e)
        {
            failures.Add(e.Message);
        }
        finally
        {
            demo?.Referee.Close();
            if (demo is not null)
            {
                // The operator's discovery cache first, so that the workers' orderly leaving is not narrated.
                if (demo.Operator is not null)
                {
                    await demo.Operator.DisposeAsync();
                }

                await Task.WhenAll(demo.Workers.Select(w => w.DisposeAsync().AsTask()));
            }

            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        var ok = Summarize(narrator, demo, failures);
        return !ok ? ExitCodes.CheckFailed : interrupted ? cli.Shutdown.ExitCode : ExitCodes.Ok;
    }

    private async Task StartWorkersAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        var features = DemoScript.WorkerFeatures(demo);
        for (var i = 1; i <= workerCount; i++)
        {
            var worker = new DemoWorker(demo, $"worker-{i}");
            demo.Workers.Add(worker);
            await worker.StartAsync(ConnectionOptions(demo), features, cancellationToken);
        }
    }

    private ZooKeeperConnectionOptions ConnectionOptions(DemoContext demo) => new()
    {
        ConnectionString = demo.ConnectionString,
        SessionTimeout = TimeSpan.FromSeconds(10),
        ConnectionWaitTimeout = TimeSpan.FromSeconds(60),
        LoggerFactory = cli.Output.Verbose ? cli.LoggerFactory : NullLoggerFactory.Instance,
    };

    private static async Task RunStepsAsync(DemoContext demo, IReadOnlyList<IDemoStep> steps, CancellationToken cancellationToken)
    {
        foreach (var step in steps)
        {
            demo.Narrator.Title(step.Title);
            await step.RunAsync(demo, cancellationToken);
        }
    }

    private static bool Summarize(DemoNarrator narrator, DemoContext? demo, List<string> failures)
    {
        narrator.Title("Summary");
        if (demo is null)
        {
            narrator.Say("The demo did not get as far as starting its workers.");
            return false;
        }

        var referee = demo.Referee;
        var leaders = referee.LeaderHistory;
        var grants = referee.GrantHistory;
        var tokens = grants.Select(g => g.Token).ToList();
        var increasing = tokens.Zip(tokens.Skip(1)).All(p => p.First < p.Second);
        narrator.Say($"leaders in order:   {(leaders.Count == 0 ? "none" : string.Join(" -> ", leaders.Select(l => $"{l.Worker} (term {l.Term})")))}");
        narrator.Say($"lock grants:        {grants.Count}; fencing tokens {string.Join(" < ", tokens.TakeLast(12))}{(tokens.Count > 12 ? " (last 12)" : "")}");
        narrator.Say($"sessions killed:    {demo.Kills}");
        narrator.Say($"fenced store:       {demo.Store.Accepted} writes accepted, {demo.Store.Rejected} stale writes rejected");
        if (referee.StaleOverlaps.Count > 0)
        {
            narrator.Say($"killed owners:      {referee.StaleOverlaps.Count} time(s) a worker whose session was killed on the server still believed it owned something for a moment; no client can see that in time, and fencing covered it");
        }

        var configured = demo.Workers.Count(w => demo.SawConfigChange(w.Name, demo.FinalBatchSize) && demo.ConfigValue(w.Name) == demo.FinalBatchSize);
        narrator.Say($"configuration:      {demo.ConfigKey} {demo.InitialBatchSize} -> {demo.FinalBatchSize}; observed live (OnChange) and held at the end by {configured}/{demo.Workers.Count} workers");
        var reregistered = demo.KillLog.Select(k => k.Worker).Distinct().Where(w => DiscoveryStep.Since(demo, demo.KillLog.First(k => k.Worker == w).ServiceEventsBefore).Contains((Recipes.Discovery.ServiceCacheChangeKind.Added, w)));
        narrator.Say($"discovery:          killed and re-registered: {string.Join(", ", reregistered.DefaultIfEmpty("none"))}; final list: {(demo.FinalServiceList is { } list ? string.Join(", ", list) + " (each once)" : "not reached")}");

        var violations = referee.Violations.Concat(failures).ToList();
        if (!increasing)
        {
            violations.Add("fencing tokens did not strictly increase");
        }

        var exclusive = !referee.Violations.Any(v => v.StartsWith("two owners", StringComparison.Ordinal));
        narrator.Say($"checks:             one leader and one lock holder at a time: {(exclusive ? "yes" : "NO")}; fencing tokens strictly increasing: {(increasing ? "yes" : "NO")}");
        foreach (var violation in violations)
        {
            narrator.Say("FAILED: " + violation);
        }

        narrator.Say(violations.Count == 0 ? "RESULT: OK" : $"RESULT: {violations.Count} check(s) failed");
        return violations.Count == 0;
    }
}
