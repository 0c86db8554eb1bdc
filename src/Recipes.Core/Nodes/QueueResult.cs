namespace Recipes.Core;

/// <summary>The result of <c>SequentialNodeQueue.WaitForTurnAsync</c>.</summary>
/// <param name="Outcome">How the wait ended.</param>
/// <param name="Node">The participant's node.</param>
/// <param name="SortedNames">The queue as last listed (sorted participant names; empty if never listed).</param>
public sealed record QueueResult(QueueOutcome Outcome, SequentialNode Node, IReadOnlyList<string> SortedNames)
{
    /// <summary>Whether the turn was granted.</summary>
    public bool IsGranted => Outcome == QueueOutcome.Granted;
}
