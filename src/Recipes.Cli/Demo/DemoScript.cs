namespace Recipes.Cli.Demo;

/// <summary>The demo's scenes in order, and what every worker does beside the election and the lock.</summary>
internal static class DemoScript
{
    /// <summary>
    /// Per-worker features (EXTENSION POINT): every worker registers in service discovery and binds a hot-reloaded
    /// options class through IOptionsMonitor&lt;T&gt;, reporting the values it observes.
    /// </summary>
    public static IReadOnlyList<IDemoWorkerFeature> WorkerFeatures(DemoContext demo) => [new DiscoveryFeature(demo), new ConfigFeature(demo)];

    /// <summary>The scenes of one run (EXTENSION POINT: new recipes add their scenes here as IDemoSteps).</summary>
    public static IReadOnlyList<IDemoStep> Opening(int workers) =>
    [
        new ElectionStep(),
        new LockTurnsStep(workers + 1, "Taking turns on the lock: every grant has a higher fencing token"),
        new ConfigChangeStep(25),
        new KillLeaderStep(),
        new DiscoveryStep(),
        new LockTurnsStep(workers, "After the kill: turns go on, tokens keep growing"),
        new FinalCheckStep(),
    ];

    /// <summary>What <c>--follow</c> repeats until Ctrl-C.</summary>
    public static IReadOnlyList<IDemoStep> Encore(int workers) =>
    [
        new KillLeaderStep(),
        new DiscoveryStep(),
        new LockTurnsStep(2 * workers, "Turns go on"),
    ];
}
