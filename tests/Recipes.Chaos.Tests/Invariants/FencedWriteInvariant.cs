using Recipes.Chaos.Tests.History;

namespace Recipes.Chaos.Tests.Invariants;

/// <summary>
/// The downstream store's promise: the writes it accepted carry non-decreasing fencing tokens (per resource), so a
/// stale holder (paused, or cut off from a session it cannot see is gone) never overwrites a newer holder's state.
/// </summary>
internal sealed class FencedWriteInvariant : IHistoryInvariant
{
    /// <inheritdoc />
    public string Name => "fenced writes";

    /// <inheritdoc />
    public IReadOnlyList<Violation> Check(IReadOnlyList<HistoryEvent> history)
    {
        var violations = new List<Violation>();
        var highest = new Dictionary<string, HistoryEvent>();
        foreach (var write in history.Where(e => e.Kind == HistoryEventKind.WriteAccepted))
        {
            if (highest.TryGetValue(write.Resource, out var top) && write.Token < top.Token)
            {
                violations.Add(new Violation(Name, write.At, $"{write.Actor}'s write with token {write.Token} was accepted after one with token {top.Token} ({top.Actor})"));
                continue;
            }

            highest[write.Resource] = write;
        }

        return violations;
    }
}
