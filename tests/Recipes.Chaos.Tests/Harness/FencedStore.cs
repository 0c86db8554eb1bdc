using Recipes.Chaos.Tests.History;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>
/// A downstream resource protected by a lock, the way fencing is meant to be used: it remembers the highest fencing
/// token it has accepted and rejects writes with a lower one.
/// </summary>
internal sealed class FencedStore(ChaosHistory history, string resource)
{
    private readonly Lock _lock = new();
    private long _highest;

    /// <summary>The highest token accepted so far.</summary>
    public long Highest
    {
        get
        {
            lock (_lock)
            {
                return _highest;
            }
        }
    }

    /// <summary>Writes on behalf of <paramref name="actor"/>; false (and recorded as rejected) if the token is stale.</summary>
    public bool TryWrite(string actor, long token)
    {
        lock (_lock)
        {
            var accepted = token >= _highest;
            if (accepted)
            {
                _highest = token;
            }

            history.Record(actor, accepted ? HistoryEventKind.WriteAccepted : HistoryEventKind.WriteRejected, resource, token);
            return accepted;
        }
    }
}
