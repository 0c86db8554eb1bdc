namespace Recipes.Chaos.Tests.Invariants;

/// <summary>
/// The discovery promise once faults have stopped: every live registration is present exactly once (by instance id)
/// in the server's listing and in a watching cache, and none of a dead process is.
/// </summary>
internal static class DiscoveryConvergence
{
    public const string Name = "discovery registrations";

    /// <summary>What is wrong with one observed state; empty when the promise holds.</summary>
    /// <param name="live">Ids of the instances whose process is alive.</param>
    /// <param name="dead">Ids of the instances whose process died (shut down or crashed).</param>
    /// <param name="views">Each view of the registrations (e.g. "server", "cache"): the instance ids it lists, duplicates kept.</param>
    public static IReadOnlyList<string> Problems(
        IReadOnlyCollection<string> live, IReadOnlyCollection<string> dead, IReadOnlyDictionary<string, IReadOnlyList<string>> views)
    {
        var problems = new List<string>();
        foreach (var (view, ids) in views.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var counts = ids.GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            foreach (var id in live.Order(StringComparer.Ordinal))
            {
                var count = counts.GetValueOrDefault(id);
                if (count != 1)
                {
                    problems.Add(count == 0 ? $"{view}: live instance {id} is missing" : $"{view}: live instance {id} is listed {count} times");
                }
            }

            foreach (var id in dead.Order(StringComparer.Ordinal).Where(counts.ContainsKey))
            {
                problems.Add($"{view}: instance {id} of a dead process is still listed");
            }

            foreach (var id in counts.Keys.Except(live).Except(dead).Order(StringComparer.Ordinal))
            {
                problems.Add($"{view}: unknown instance {id} is listed");
            }
        }

        return problems;
    }
}
