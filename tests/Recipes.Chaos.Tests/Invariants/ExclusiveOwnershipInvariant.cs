using Recipes.Chaos.Tests.History;

namespace Recipes.Chaos.Tests.Invariants;

/// <summary>
/// At no instant do two holders both believe they own the same resource (a mutex, leadership): a hold ends when its
/// holder releases or its LostToken fires, and the next may only begin after that.
/// </summary>
/// <remarks>
/// The one documented exception: a holder whose session the server ended behind its back (a session killed on the
/// server, a process paused past its session timeout) cannot know in time; such overlaps are not violations but are
/// counted in <see cref="FencedOverlaps"/>, because only fencing tokens protect downstream state from them.
/// </remarks>
internal sealed class ExclusiveOwnershipInvariant : IHistoryInvariant
{
    /// <inheritdoc />
    public string Name => "exclusive ownership";

    /// <summary>Stale holds (holder's session ended behind its back) that overlapped a newer hold, found by the last <see cref="Check"/>.</summary>
    public int FencedOverlaps { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<Violation> Check(IReadOnlyList<HistoryEvent> history)
    {
        var violations = new List<Violation>();
        var fenced = new HashSet<long>();
        foreach (var holds in Hold.From(history).GroupBy(h => h.Resource))
        {
            var ordered = holds.ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                var earlier = ordered[i];
                for (var j = i + 1; j < ordered.Count && ordered[j].Start < earlier.End; j++)
                {
                    var later = ordered[j];
                    if (earlier.HadUnseenSessionLoss(history, later.Start))
                    {
                        fenced.Add(earlier.Id);
                        continue;
                    }

                    if (later.HadUnseenSessionLoss(history, later.Start))
                    {
                        fenced.Add(later.Id);
                        continue;
                    }

                    violations.Add(new Violation(Name, later.Start, $"{later} began while {earlier} still believed it owned {later.Resource}"));
                }
            }
        }

        FencedOverlaps = fenced.Count;
        return violations;
    }
}
