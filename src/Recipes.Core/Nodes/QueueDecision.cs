namespace Recipes.Core;

/// <summary>
/// A recipe's verdict on one participant in a <see cref="SequentialNodeQueue"/>: its turn has come, or the node it
/// must wait for.
/// </summary>
public sealed class QueueDecision
{
    private QueueDecision(string? watchNodeName) => WatchNodeName = watchNodeName;

    /// <summary>The participant's turn has come (a lock or lease is granted, leadership taken).</summary>
    public static QueueDecision Granted { get; } = new(null);

    /// <summary>Whether the turn has come.</summary>
    public bool IsGranted => WatchNodeName is null;

    /// <summary>The name (under the queue's parent) of the node to wait for; null when granted.</summary>
    public string? WatchNodeName { get; }

    /// <summary>Not yet: wait until <paramref name="nodeName"/> changes or goes (the predecessor for a mutex, the first writer for a reader).</summary>
    /// <param name="nodeName">A child name from the sorted list the predicate was given.</param>
    public static QueueDecision WaitFor(string nodeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        return new QueueDecision(nodeName);
    }

    /// <inheritdoc />
    public override string ToString() => IsGranted ? "granted" : $"wait for {WatchNodeName}";
}
