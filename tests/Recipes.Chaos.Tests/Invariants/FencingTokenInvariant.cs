using Recipes.Chaos.Tests.History;

namespace Recipes.Chaos.Tests.Invariants;

/// <summary>
/// Fencing tokens of successive holders strictly increase: whenever one hold ended before another began (same
/// resource), the later token is higher. A leadership term re-granted to the same holder on the same node keeps its
/// token, so an equal token is allowed when the holder is the same.
/// </summary>
/// <remarks>
/// A hold recorded by a holder whose session the server had already ended behind its back (see
/// <see cref="ExclusiveOwnershipInvariant"/>) is stale by definition and is exempt: a fencing store rejects it.
/// </remarks>
internal sealed class FencingTokenInvariant : IHistoryInvariant
{
    /// <inheritdoc />
    public string Name => "fencing tokens increase";

    /// <inheritdoc />
    public IReadOnlyList<Violation> Check(IReadOnlyList<HistoryEvent> history)
    {
        var violations = new List<Violation>();
        foreach (var holds in Hold.From(history).GroupBy(h => h.Resource))
        {
            var ordered = holds.ToList();
            foreach (var later in ordered)
            {
                if (later.HadUnseenSessionLoss(history, later.Start))
                {
                    continue;
                }

                foreach (var earlier in ordered)
                {
                    if (earlier.Open || earlier.End > later.Start || earlier.Id == later.Id)
                    {
                        continue;
                    }

                    var ok = later.Token > earlier.Token || (later.Token == earlier.Token && later.Actor == earlier.Actor);
                    if (!ok)
                    {
                        violations.Add(new Violation(Name, later.Start, $"{later} has a token not above that of {earlier}, which ended before it began"));
                    }
                }
            }
        }

        return violations;
    }
}
