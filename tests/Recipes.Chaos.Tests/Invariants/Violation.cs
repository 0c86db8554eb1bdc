namespace Recipes.Chaos.Tests.Invariants;

/// <summary>One broken promise found in a chaos run.</summary>
/// <param name="Invariant">Which invariant.</param>
/// <param name="At">When (history clock).</param>
/// <param name="Message">What, with the entries involved.</param>
internal sealed record Violation(string Invariant, TimeSpan At, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Invariant}] at {At.TotalMilliseconds:0.0} ms: {Message}";
}
