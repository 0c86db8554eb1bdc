using Recipes.Chaos.Tests.History;

namespace Recipes.Chaos.Tests.Invariants;

/// <summary>
/// A promise checked over a recorded history, after the run. One implementation per promise; a workload lists the
/// ones that apply to it (<see cref="Workloads.IChaosWorkload.Invariants"/>).
/// </summary>
internal interface IHistoryInvariant
{
    /// <summary>A short name for reports.</summary>
    string Name { get; }

    /// <summary>Every violation in <paramref name="history"/>; empty when the promise held.</summary>
    /// <param name="history">The entries, in order.</param>
    IReadOnlyList<Violation> Check(IReadOnlyList<HistoryEvent> history);
}
