using System.Diagnostics;

namespace Recipes.Bench;

/// <summary>
/// Per-operation durations in <see cref="Stopwatch"/> ticks, written by slot (no locking: each operation owns its
/// slot). Percentiles use the nearest-rank rule of the peers: the value at index ceil(q * n) - 1 of the sorted set.
/// </summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _ticks = new long[capacity];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Records the duration of operation <paramref name="slot"/> from two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public void Set(int slot, long startTimestamp, long endTimestamp)
    {
        _ticks[slot] = endTimestamp - startTimestamp;
        Interlocked.Increment(ref _count);
    }

    /// <summary>Appends a duration (single-threaded callers only).</summary>
    public void Add(long startTimestamp, long endTimestamp) => _ticks[_count++] = endTimestamp - startTimestamp;

    /// <summary>p50, p99, mean and max in milliseconds (NaN when empty).</summary>
    public (double P50, double P99, double Mean, double Max) Summary()
    {
        var n = Count;
        if (n == 0)
        {
            return (double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = _ticks.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double Pct(double q) => Ms(sorted[Math.Clamp((int)Math.Ceiling(q * n) - 1, 0, n - 1)]);
        double sum = 0;
        foreach (var t in sorted)
        {
            sum += t;
        }

        return (Pct(0.50), Pct(0.99), Ms(1) * sum / n, Ms(sorted[n - 1]));
    }
}
