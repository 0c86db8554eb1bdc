using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.Workloads;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Chaos.Tests;

/// <summary>
/// Seeded random fault schedules over locks, leader election, service discovery and configuration, with the invariants checked over the recorded
/// history. CI mode lasts about a minute in all; <c>RECIPES_CHAOS_LONG=1</c> runs minutes of faults per scenario.
/// </summary>
[Collection(ChaosServerCollection.Name)]
public sealed class ChaosTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Locks_stay_exclusive_and_fenced_under_random_faults()
    {
        var settings = ChaosSettings.ForScenario(ciSeconds: 10, longSeconds: 100);
        var report = await ChaosRun.RunAsync(
            "locks", settings, ChaosCluster.Of(zk.Server), actorCount: 5, actors => [new LockWorkload(actors)], output);

        AssertHealthy(report, "locks");
    }

    [Fact]
    public async Task Leadership_is_never_held_twice_under_random_faults()
    {
        var settings = ChaosSettings.ForScenario(ciSeconds: 8, longSeconds: 80);
        var report = await ChaosRun.RunAsync(
            "leadership", settings, ChaosCluster.Of(zk.Server), actorCount: 4, actors => [new LeadershipWorkload(actors)], output);

        AssertHealthy(report, "leadership");
    }

    [Fact]
    public async Task Locks_and_leadership_survive_ensemble_node_kills()
    {
        var settings = ChaosSettings.ForScenario(ciSeconds: 8, longSeconds: 90);
        await using var ensemble = await ZooKeeperTestEnsemble.StartAsync();
        var report = await ChaosRun.RunAsync(
            "ensemble", settings, ChaosCluster.Of(ensemble), actorCount: 4,
            actors => [new LockWorkload(actors), new LeadershipWorkload(actors)], output);

        AssertHealthy(report, "locks");
        AssertHealthy(report, "leadership");
    }

    [Fact]
    public async Task Discovery_lists_every_live_instance_once_and_no_dead_one_after_random_faults()
    {
        var settings = ChaosSettings.ForScenario(ciSeconds: 8, longSeconds: 80);
        var report = await ChaosRun.RunAsync(
            "discovery", settings, ChaosCluster.Of(zk.Server), actorCount: 5, actors => [new DiscoveryWorkload(actors, settings.FaultPhase)], output).WaitAsync(Bound(settings));

        AssertHealthy(report, "discovery");
    }

    [Fact]
    public async Task Configuration_subscribers_converge_on_the_server_value_after_random_faults()
    {
        var settings = ChaosSettings.ForScenario(ciSeconds: 8, longSeconds: 80);
        var report = await ChaosRun.RunAsync(
            "configuration", settings, ChaosCluster.Of(zk.Server), actorCount: 4, actors => [new ConfigurationWorkload(actors)], output).WaitAsync(Bound(settings));

        AssertHealthy(report, "configuration");
    }

    [Fact]
    public async Task Discovery_and_configuration_converge_after_ensemble_node_kills()
    {
        // 8 s is the shortest phase that always holds one fault (the longest first step is 1.5 s + 6.4 s).
        var settings = ChaosSettings.ForScenario(ciSeconds: 8, longSeconds: 60);
        await using var ensemble = await ZooKeeperTestEnsemble.StartAsync();

        // Actors 1-5 watch and register, actors 6-8 write and subscribe; faults hit any of them.
        var report = await ChaosRun.RunAsync(
            "ensemble-discovery-configuration", settings, ChaosCluster.Of(ensemble), actorCount: 8,
            actors => [new DiscoveryWorkload(actors.Take(5).ToList(), settings.FaultPhase), new ConfigurationWorkload(actors.Skip(5).ToList())], output).WaitAsync(Bound(settings));

        AssertHealthy(report, "discovery");
        AssertHealthy(report, "configuration");
    }

    /// <summary>A run that does not finish in this time failed (with its seed in the output), instead of hanging the suite.</summary>
    private static TimeSpan Bound(ChaosSettings settings) => settings.FaultPhase + TimeSpan.FromMinutes(2);

    private static void AssertHealthy(ChaosReport report, string workload)
    {
        Assert.True(report.Violations == 0, $"seed {report.Seed}: {report.Violations} violations:\n{string.Join('\n', report.ViolationDetails)}");
        Assert.True(report.Acquisitions[workload] > 0, $"seed {report.Seed}: no {workload} acquisitions at all");
        Assert.True(report.FaultsTotal > 0, $"seed {report.Seed}: no fault was injected");
    }
}
