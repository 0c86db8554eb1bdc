using Recipes.Core;

namespace Recipes.Locks.Internal;

/// <summary>The queue rules of the read-write lock (writer-preferring, as in Curator).</summary>
internal static class ReadWritePredicates
{
    /// <summary>A writer holds the lock only at the head of the queue; otherwise it waits for its predecessor.</summary>
    public static Func<IReadOnlyList<string>, int, QueueDecision> Writer { get; } = SequentialNodeQueue.WithinFirst(1);

    /// <summary>
    /// A reader holds the lock iff no writer sorts before it. Otherwise it waits for the <em>last</em> writer before it
    /// (Curator waits for the first one): when that one goes, every earlier writer is gone too or is watched next, so
    /// no waiter wakes for a writer that does not concern it.
    /// </summary>
    public static QueueDecision Reader(IReadOnlyList<string> sortedNames, int ourIndex)
    {
        for (var i = ourIndex - 1; i >= 0; i--)
        {
            if (sortedNames[i].Contains(LockNames.Write, StringComparison.Ordinal))
            {
                return QueueDecision.WaitFor(sortedNames[i]);
            }
        }

        return QueueDecision.Granted;
    }
}
