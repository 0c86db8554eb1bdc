using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.Invariants;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>
/// Something the actors do during a chaos run (hold locks, run for leadership, register services, watch
/// configuration), recording what they believe into the history. The harness starts every workload, injects the fault
/// schedule, heals, runs each <see cref="QuiescentChecks"/>, stops the workloads and checks their <see cref="Invariants"/>.
/// </summary>
/// <remarks>
/// The extension point for new recipes: service discovery adds a workload whose quiescent check is "every live
/// registration is present exactly once and none of a dead process"; configuration adds one whose check is "every
/// subscriber's IOptionsMonitor value equals the server's".
/// </remarks>
internal interface IChaosWorkload
{
    /// <summary>A short name for reports.</summary>
    string Name { get; }

    /// <summary>Acquisitions (locks granted, terms won, ...) so far, for the report.</summary>
    int Acquisitions { get; }

    /// <summary>Operations that failed and were retried, for the report.</summary>
    int Errors { get; }

    /// <summary>The promises checked over the history after the run.</summary>
    IReadOnlyList<IHistoryInvariant> Invariants { get; }

    /// <summary>The checks run once faults have stopped and the network is healed.</summary>
    IReadOnlyList<IQuiescentCheck> QuiescentChecks { get; }

    /// <summary>Starts the actors' loops in the background and returns.</summary>
    Task StartAsync(ChaosContext context, CancellationToken cancellationToken);

    /// <summary>Stops the loops; every actor lets go of what it holds.</summary>
    Task StopAsync();
}
