namespace Recipes.Cli.Demo;

/// <summary>The demo's scenes in order, and what every worker does beside the election and the lock.</summary>
internal static class DemoScript
{
    /// <summary>
    /// Per-worker features. EXTENSION POINT: when service discovery (issue 6) lands, add a feature that registers the
    /// worker as a service instance; when hot-reloaded configuration (issue 7) lands, one that binds an options class
    /// through IOptionsMonitor&lt;T&gt; and reports the values it observes.
    /// </summary>
    public static IReadOnlyList<IDemoWorkerFeature> WorkerFeatures() => [];

    /// <summary>
    /// The scenes of one run. EXTENSION POINT: add a ConfigChangeStep (change the config znode; wait until every
    /// worker's options show the new value) and a DiscoveryStep (the killed worker leaves the service list and comes
    /// back with its new session) here, as IDemoSteps, when those recipes land.
    /// </summary>
    public static IReadOnlyList<IDemoStep> Opening(int workers) =>
    [
        new ElectionStep(),
        new LockTurnsStep(workers + 1, "Taking turns on the lock: every grant has a higher fencing token"),
        new KillLeaderStep(),
        new LockTurnsStep(workers, "After the kill: turns go on, tokens keep growing"),
    ];

    /// <summary>What <c>--follow</c> repeats until Ctrl-C.</summary>
    public static IReadOnlyList<IDemoStep> Encore(int workers) =>
    [
        new KillLeaderStep(),
        new LockTurnsStep(2 * workers, "Turns go on"),
    ];
}
