namespace Recipes.Locks.Internal;

/// <summary>The time an acquisition may still take; no limit for a null or infinite timeout.</summary>
internal sealed class Deadline
{
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly TimeSpan? _timeout;

    private Deadline(TimeProvider time, TimeSpan? timeout)
    {
        _time = time;
        _start = time.GetTimestamp();
        _timeout = timeout;
    }

    /// <summary>The longest finite timeout timers and <see cref="Task.WaitAsync(TimeSpan)"/> accept (about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// Starts counting; throws for negative timeouts other than <see cref="Timeout.InfiniteTimeSpan"/>, and for
    /// timeouts longer than <see cref="MaxTimeout"/> (which would otherwise fail only once a wait begins).
    /// </summary>
    public static Deadline Start(TimeProvider time, TimeSpan? timeout)
    {
        if (timeout is { } t && t < TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative.");
        }

        if (timeout is { } l && l > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout), timeout, $"The timeout must be at most {MaxTimeout} (or Timeout.InfiniteTimeSpan to wait without a limit).");
        }

        return new Deadline(time, timeout == Timeout.InfiniteTimeSpan ? null : timeout);
    }

    /// <summary>What is left: null for no limit, zero once passed.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            if (_timeout is not { } timeout)
            {
                return null;
            }

            var left = timeout - _time.GetElapsedTime(_start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>Whether the limit has passed.</summary>
    public bool IsExpired => Remaining == TimeSpan.Zero;

    /// <summary>A token source cancelled by <paramref name="cancellationToken"/> or when the limit passes.</summary>
    public CancellationTokenSource CreateTokenSource(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (Remaining is { } left)
        {
            source.CancelAfter(left);
        }

        return source;
    }
}
