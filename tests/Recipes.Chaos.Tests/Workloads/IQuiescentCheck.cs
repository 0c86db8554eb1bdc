using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.Invariants;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>
/// A promise about the state once faults have stopped: checked after the harness healed every fault, while the
/// workloads still run. It may wait (up to <see cref="ChaosContext.Patience"/>) for the system to converge.
/// </summary>
internal interface IQuiescentCheck
{
    /// <summary>A short name for reports.</summary>
    string Name { get; }

    /// <summary>Every violation; empty when the promise held. Also returns how long convergence took.</summary>
    Task<QuiescentResult> CheckAsync(ChaosContext context, CancellationToken cancellationToken);
}
