using System.Diagnostics;

namespace Recipes.Chaos.Tests.History;

/// <summary>
/// The recorded history of a chaos run. Every actor records into it, on one monotonic clock, under one lock, so the
/// order of entries is the order of the instants they describe.
/// </summary>
/// <remarks>
/// An ownership is recorded with a probe that tells whether its holder still believes (its LostToken has not fired).
/// Before every new <see cref="HistoryEventKind.Acquired"/> the probes of all open holds are read, and holds whose
/// holder no longer believes are closed as <see cref="HistoryEventKind.Lost"/> first: so when the history shows two
/// holds overlapping, both holders really believed at the same instant (no false alarms from a LostToken callback
/// that ran late).
/// </remarks>
internal sealed class ChaosHistory
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Lock _lock = new();
    private readonly List<HistoryEvent> _events = [];
    private readonly Dictionary<long, OpenHold> _open = [];
    private long _nextHold;

    /// <summary>The time on the history's clock.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyList<HistoryEvent> Snapshot()
    {
        lock (_lock)
        {
            return [.. _events];
        }
    }

    /// <summary>
    /// Records that <paramref name="actor"/> now believes it owns <paramref name="resource"/>. Returns the hold id, or
    /// 0 when the holder already stopped believing (nothing is recorded then: it never acted as owner).
    /// </summary>
    /// <param name="actor">The holder.</param>
    /// <param name="resource">The lock or election.</param>
    /// <param name="token">The fencing token.</param>
    /// <param name="believes">Reads whether the holder still believes (its LostToken has not fired).</param>
    /// <param name="attemptedAt">When the acquisition attempt began.</param>
    public long BeginHold(string actor, string resource, long token, Func<bool> believes, TimeSpan attemptedAt)
    {
        lock (_lock)
        {
            SweepLocked();
            if (!believes())
            {
                return 0;
            }

            var id = ++_nextHold;
            _open[id] = new OpenHold(actor, resource, token, believes);
            _events.Add(new HistoryEvent(Now, actor, HistoryEventKind.Acquired, resource, token, id, attemptedAt));
            return id;
        }
    }

    /// <summary>Closes a hold (<see cref="HistoryEventKind.Released"/> or <see cref="HistoryEventKind.Lost"/>); later calls for it do nothing.</summary>
    /// <param name="holdId">From <see cref="BeginHold"/>; 0 is ignored.</param>
    /// <param name="kind">Why it ended.</param>
    public void EndHold(long holdId, HistoryEventKind kind)
    {
        if (kind is not (HistoryEventKind.Released or HistoryEventKind.Lost))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A hold ends as Released or Lost.");
        }

        lock (_lock)
        {
            if (_open.Remove(holdId, out var hold))
            {
                _events.Add(new HistoryEvent(Now, hold.Actor, kind, hold.Resource, hold.Token, holdId));
            }
        }
    }

    /// <summary>Whether <paramref name="actor"/> owns something right now (an open hold).</summary>
    public bool HasOpenHold(string actor)
    {
        lock (_lock)
        {
            return _open.Values.Any(h => h.Actor == actor);
        }
    }

    /// <summary>Reads every open hold's probe and closes those whose holder no longer believes.</summary>
    public void Sweep()
    {
        lock (_lock)
        {
            SweepLocked();
        }
    }

    /// <summary>Records any other entry (faults, writes).</summary>
    public void Record(string actor, HistoryEventKind kind, string resource, long token = 0, string? detail = null)
    {
        lock (_lock)
        {
            _events.Add(new HistoryEvent(Now, actor, kind, resource, token, Detail: detail));
        }
    }

    private void SweepLocked()
    {
        foreach (var (id, hold) in _open.ToList())
        {
            if (!hold.Believes())
            {
                _open.Remove(id);
                _events.Add(new HistoryEvent(Now, hold.Actor, HistoryEventKind.Lost, hold.Resource, hold.Token, id));
            }
        }
    }

    private sealed record OpenHold(string Actor, string Resource, long Token, Func<bool> Believes);
}
