namespace Recipes.Cli.Demo;

/// <summary>
/// The resource the lock protects, as a fencing-aware store would be: it accepts a write only with a fencing token at
/// least as high as the highest it has accepted, so a holder that lost the lock without knowing it cannot overwrite
/// a newer holder's work.
/// </summary>
internal sealed class FencedStore
{
    private readonly Lock _lock = new();
    private long _highest = long.MinValue;

    public int Accepted { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>Returns whether the write was accepted, and the highest token seen before it.</summary>
    public (bool Accepted, long Highest) Write(long fencingToken)
    {
        lock (_lock)
        {
            var before = _highest;
            if (fencingToken < _highest)
            {
                Rejected++;
                return (false, before);
            }

            _highest = fencingToken;
            Accepted++;
            return (true, before);
        }
    }
}
