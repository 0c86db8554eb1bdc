using Recipes.Chaos.Tests.Invariants;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>The outcome of an <see cref="IQuiescentCheck"/>: violations, and how long the system took to converge after healing.</summary>
internal sealed record QuiescentResult(IReadOnlyList<Violation> Violations, TimeSpan Convergence);
