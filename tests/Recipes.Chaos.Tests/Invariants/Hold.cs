using Recipes.Chaos.Tests.History;

namespace Recipes.Chaos.Tests.Invariants;

/// <summary>One period of believed ownership rebuilt from a history: from Acquired to Released/Lost (or the end).</summary>
internal sealed record Hold(long Id, string Actor, string Resource, long Token, TimeSpan AttemptedAt, TimeSpan Start, TimeSpan End, bool Open)
{
    /// <summary>Every hold in <paramref name="history"/>, ordered by start.</summary>
    public static IReadOnlyList<Hold> From(IReadOnlyList<HistoryEvent> history)
    {
        var ends = new Dictionary<long, TimeSpan>();
        foreach (var e in history)
        {
            if (e.Kind is HistoryEventKind.Released or HistoryEventKind.Lost && e.HoldId != 0)
            {
                ends.TryAdd(e.HoldId, e.At);
            }
        }

        return history
            .Where(e => e.Kind == HistoryEventKind.Acquired)
            .Select(e => ends.TryGetValue(e.HoldId, out var end)
                ? new Hold(e.HoldId, e.Actor, e.Resource, e.Token, e.AttemptedAt ?? e.At, e.At, end, Open: false)
                : new Hold(e.HoldId, e.Actor, e.Resource, e.Token, e.AttemptedAt ?? e.At, e.At, TimeSpan.MaxValue, Open: true))
            .OrderBy(h => h.Start)
            .ToList();
    }

    /// <summary>
    /// Whether the server ended this holder's session behind its back (a session kill, a process pause) between the
    /// start of its acquisition attempt and <paramref name="until"/>: no client can see that in time, so only fencing
    /// tokens can protect downstream state from it.
    /// </summary>
    public bool HadUnseenSessionLoss(IReadOnlyList<HistoryEvent> history, TimeSpan until) =>
        history.Any(e => e.Kind == HistoryEventKind.UnseenSessionLoss && e.Actor == Actor && e.At >= AttemptedAt && e.At <= until);

    /// <inheritdoc />
    public override string ToString() =>
        $"hold {Id} of {Actor} on {Resource} (token {Token}, {Start.TotalMilliseconds:0.0}..{(Open ? "open" : End.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))} ms)";
}
