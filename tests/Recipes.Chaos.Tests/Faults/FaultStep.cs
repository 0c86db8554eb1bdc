namespace Recipes.Chaos.Tests.Faults;

/// <summary>One step of a fault schedule: wait <paramref name="Gap"/>, then inject <paramref name="Kind"/> for <paramref name="Duration"/>.</summary>
/// <param name="Gap">Healthy time before the fault.</param>
/// <param name="Kind">The fault.</param>
/// <param name="Target">The actor index (per-actor faults) or node number - 1 (node kills); taken modulo the count.</param>
/// <param name="PreferHolder">For per-actor faults: hit an actor that owns something right now, if any, instead of <paramref name="Target"/>.</param>
/// <param name="Duration">How long the fault lasts (0 for instant faults).</param>
internal sealed record FaultStep(TimeSpan Gap, FaultKind Kind, int Target, bool PreferHolder, TimeSpan Duration)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"after {Gap.TotalMilliseconds:0} ms: {Kind} target {Target}{(PreferHolder ? " (prefer holder)" : "")} for {Duration.TotalMilliseconds:0} ms";
}
