namespace Recipes.Chaos.Tests.History;

/// <summary>One entry of a chaos run's history, on one monotonic clock.</summary>
/// <param name="At">When, since the history began (one monotonic clock for every actor).</param>
/// <param name="Actor">Who: an actor name, or "chaos" for the fault injector.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Resource">Which lock or election (or fault name for faults).</param>
/// <param name="Token">The fencing token (lock czxid, leadership term); 0 when not relevant.</param>
/// <param name="HoldId">Pairs an <see cref="HistoryEventKind.Acquired"/> with its end; 0 when not relevant.</param>
/// <param name="AttemptedAt">For <see cref="HistoryEventKind.Acquired"/>: when the acquisition attempt began.</param>
/// <param name="Detail">Free text for the report.</param>
internal sealed record HistoryEvent(
    TimeSpan At,
    string Actor,
    HistoryEventKind Kind,
    string Resource,
    long Token = 0,
    long HoldId = 0,
    TimeSpan? AttemptedAt = null,
    string? Detail = null)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{At.TotalMilliseconds,9:0.0} ms {Actor} {Kind} {Resource}{(Token != 0 ? $" token {Token}" : "")}{(HoldId != 0 ? $" hold {HoldId}" : "")}{(Detail is null ? "" : " (" + Detail + ")")}";
}
