namespace Recipes.Core;

/// <summary>How <c>SequentialNodeQueue.WaitForTurnAsync</c> ended.</summary>
public enum QueueOutcome
{
    /// <summary>The predicate granted the turn and the node was confirmed to exist and be owned by its session.</summary>
    Granted = 0,

    /// <summary>The timeout passed first.</summary>
    TimedOut = 1,

    /// <summary>The node is gone, or owned by another session: its session ended, or someone deleted it.</summary>
    NodeLost = 2,

    /// <summary>The node's session's ownership was lost (suspended past the grace, or lost); the node can no longer be trusted.</summary>
    OwnershipLost = 3,
}
