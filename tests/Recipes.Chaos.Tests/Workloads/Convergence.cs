using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.Invariants;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>The waiting part of a quiescent check: observe until nothing is wrong, or report what still is once patience ran out.</summary>
internal static class Convergence
{
    /// <summary>
    /// Calls <paramref name="observe"/> every 50 ms until it finds no problem (converged) or
    /// <see cref="ChaosContext.Patience"/> has passed since <paramref name="healedAt"/>; then each remaining problem is a violation of <paramref name="check"/>.
    /// </summary>
    public static async Task<QuiescentResult> WaitAsync(
        ChaosContext context, string check, TimeSpan healedAt, Func<Task<IReadOnlyList<string>>> observe, CancellationToken cancellationToken)
    {
        var deadline = healedAt + context.Patience;
        while (true)
        {
            var problems = await observe();
            if (problems.Count == 0)
            {
                return new QuiescentResult([], context.History.Now - healedAt);
            }

            if (context.History.Now > deadline)
            {
                return new QuiescentResult(
                    problems.Select(p => new Violation(check, context.History.Now, $"{p} {context.Patience.TotalSeconds:0} s after the faults stopped")).ToList(),
                    context.History.Now - healedAt);
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
