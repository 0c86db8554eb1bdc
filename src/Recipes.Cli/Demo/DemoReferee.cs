namespace Recipes.Cli.Demo;

/// <summary>
/// Checks, as the workers report what they believe, what the recipes promise: one leader at a time, one lock holder
/// at a time, and fencing tokens (lock) and terms (leadership) that strictly increase from one owner to the next.
/// </summary>
/// <remarks>
/// One overlap is not a violation: a worker whose session was closed on the server by someone else (the demo's
/// kill) cannot know it until it next hears from the server, while the server has already let the next worker in.
/// No client can see that in time; it is exactly what fencing tokens are for. Such overlaps are reported, and the
/// fenced store shows the stale owner's writes rejected.
/// </remarks>
internal sealed class DemoReferee(DemoNarrator narrator)
{
    private readonly Lock _lock = new();
    private readonly HashSet<long> _killedSessions = [];
    private readonly Dictionary<string, (long Number, long Session)> _leaders = [];
    private readonly Dictionary<string, (long Number, long Session)> _holders = [];
    private readonly List<string> _violations = [];
    private readonly List<string> _staleOverlaps = [];
    private readonly List<(string Worker, long Term)> _leaderHistory = [];
    private readonly List<(string Worker, long Token)> _grantHistory = [];
    private long _highestTerm = long.MinValue;
    private long _highestToken = long.MinValue;
    private bool _closed;

    public IReadOnlyList<string> Violations => Snapshot(_violations);

    public IReadOnlyList<string> StaleOverlaps => Snapshot(_staleOverlaps);

    public IReadOnlyList<(string Worker, long Term)> LeaderHistory => Snapshot(_leaderHistory);

    public IReadOnlyList<(string Worker, long Token)> GrantHistory => Snapshot(_grantHistory);

    /// <summary>The current leader as the referee sees it (the latest one granted, still leading), if any.</summary>
    public string? Leader
    {
        get
        {
            lock (_lock)
            {
                return _leaderHistory.Count > 0 && _leaders.ContainsKey(_leaderHistory[^1].Worker) ? _leaderHistory[^1].Worker : null;
            }
        }
    }

    public bool Holds(string worker)
    {
        lock (_lock)
        {
            return _holders.ContainsKey(worker);
        }
    }

    /// <summary>Called before the demo kills a session on the server.</summary>
    public void SessionKilled(long sessionId)
    {
        lock (_lock)
        {
            _killedSessions.Add(sessionId);
        }
    }

    /// <summary>Stops checking (the demo is shutting its workers down).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    public void LeaderStarted(string worker, long term, long session)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            CheckExclusive("leaderships", _leaders, worker, term, session);
            if (term < _highestTerm || (term == _highestTerm && _leaderHistory[^1].Worker != worker))
            {
                _violations.Add($"{worker} became leader with term {term}, not above the highest so far ({_highestTerm}).");
            }

            _highestTerm = Math.Max(_highestTerm, term);
            _leaders[worker] = (term, session);
            _leaderHistory.Add((worker, term));
        }
    }

    public void LeaderEnded(string worker, long term) => End(_leaders, worker, term);

    public void LockGranted(string worker, long token, long session)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            CheckExclusive("locks", _holders, worker, token, session);
            if (token <= _highestToken)
            {
                _violations.Add($"{worker} got the lock with fencing token {token}, not above the highest so far ({_highestToken}).");
            }

            _highestToken = Math.Max(_highestToken, token);
            _holders[worker] = (token, session);
            _grantHistory.Add((worker, token));
        }
    }

    public void LockEnded(string worker, long token) => End(_holders, worker, token);

    private void CheckExclusive(string what, Dictionary<string, (long Number, long Session)> owners, string worker, long number, long session)
    {
        foreach (var (other, owned) in owners)
        {
            if (other == worker)
            {
                continue;
            }

            if (_killedSessions.Contains(owned.Session))
            {
                var note = $"{other} still believes it owns the {what[..^1]} ({owned.Number}): its session 0x{owned.Session:x} was killed on the server and it cannot know yet; {worker}'s {number} is higher, so fencing rejects {other}'s stale writes";
                _staleOverlaps.Add(note);
                narrator.Say("STALE   " + note);
            }
            else
            {
                _violations.Add($"two owners of the {what[..^1]} at once: {other} ({owned.Number}, session 0x{owned.Session:x}) and {worker} ({number}, session 0x{session:x}).");
            }
        }
    }

    private void End(Dictionary<string, (long Number, long Session)> owners, string worker, long number)
    {
        lock (_lock)
        {
            if (owners.TryGetValue(worker, out var owned) && owned.Number == number)
            {
                owners.Remove(worker);
            }
        }
    }

    private List<T> Snapshot<T>(List<T> list)
    {
        lock (_lock)
        {
            return [.. list];
        }
    }
}
