using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.History;
using Recipes.Chaos.Tests.Invariants;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>
/// Liveness after the faults: every actor taking part in <paramref name="resource"/> owns it again at least once
/// (no leaked node, no stuck waiter, no session left believing it is someone else's turn).
/// </summary>
internal sealed class EveryActorAcquiresAgain(string resource, IReadOnlyList<string> actors) : IQuiescentCheck
{
    public string Name => $"every actor owns {resource} again";

    public async Task<QuiescentResult> CheckAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        var healedAt = context.History.Now;
        var deadline = healedAt + context.Patience;
        while (true)
        {
            var events = context.History.Snapshot();
            var firsts = actors.ToDictionary(
                a => a,
                a => events.FirstOrDefault(e => e.Kind == HistoryEventKind.Acquired && e.Resource == resource && e.Actor == a && e.At >= healedAt));
            if (firsts.Values.All(e => e is not null))
            {
                return new QuiescentResult([], firsts.Values.Max(e => e!.At) - healedAt);
            }

            if (context.History.Now > deadline)
            {
                var missing = string.Join(", ", firsts.Where(p => p.Value is null).Select(p => p.Key));
                return new QuiescentResult(
                    [new Violation(Name, context.History.Now, $"{missing} did not own {resource} within {context.Patience.TotalSeconds:0} s after the faults stopped")],
                    context.History.Now - healedAt);
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
