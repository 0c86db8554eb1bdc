using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Decides whether and when a failed operation is tried again. Only transient failures reach a policy: connection
/// loss, operation timeout and session moved (see <see cref="IsRetryable"/>).
/// </summary>
public abstract class RetryPolicy
{
    /// <summary>No retries.</summary>
    public static RetryPolicy None { get; } = new NoRetry();

    /// <summary>The default: exponential backoff from 100 ms, capped at 5 s, with jitter, at most 10 retries.</summary>
    public static RetryPolicy Default { get; } = ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), 10);

    /// <summary>Exponential backoff with full jitter: delay n is random in [base·2^n / 2, base·2^n], capped at <paramref name="maxDelay"/>.</summary>
    public static RetryPolicy ExponentialBackoff(TimeSpan baseDelay, TimeSpan maxDelay, int maxRetries) =>
        new ExponentialBackoffRetry(baseDelay, maxDelay, maxRetries);

    /// <summary>At most <paramref name="maxRetries"/> retries, <paramref name="delay"/> apart.</summary>
    public static RetryPolicy Bounded(int maxRetries, TimeSpan delay) => new BoundedRetry(maxRetries, delay);

    /// <summary>Retries <paramref name="delay"/> apart until <paramref name="total"/> has elapsed since the first attempt.</summary>
    public static RetryPolicy UntilElapsed(TimeSpan total, TimeSpan delay) => new UntilElapsedRetry(total, delay);

    /// <summary>Whether an exception is one a policy may retry: connection loss, operation timeout, session moved.</summary>
    public static bool IsRetryable(Exception exception) =>
        exception is ConnectionLossException or OperationTimeoutException or SessionMovedException;

    /// <summary>
    /// Whether attempt <paramref name="retryCount"/> (0 for the first retry) may run, <paramref name="elapsed"/>
    /// after the first attempt began; if so, <paramref name="delay"/> is how long to wait first.
    /// </summary>
    public abstract bool ShouldRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay);

    private sealed class NoRetry : RetryPolicy
    {
        public override bool ShouldRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
        {
            delay = TimeSpan.Zero;
            return false;
        }
    }

    private sealed class ExponentialBackoffRetry : RetryPolicy
    {
        private readonly TimeSpan _base;
        private readonly TimeSpan _max;
        private readonly int _maxRetries;

        public ExponentialBackoffRetry(TimeSpan baseDelay, TimeSpan maxDelay, int maxRetries)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
            ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
            _base = baseDelay;
            _max = maxDelay;
            _maxRetries = maxRetries;
        }

        public override bool ShouldRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
        {
            if (retryCount >= _maxRetries)
            {
                delay = TimeSpan.Zero;
                return false;
            }

            var ceiling = Math.Min(_max.TotalMilliseconds, _base.TotalMilliseconds * Math.Pow(2, Math.Min(retryCount, 30)));
            delay = TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
            return true;
        }
    }

    private sealed class BoundedRetry : RetryPolicy
    {
        private readonly int _maxRetries;
        private readonly TimeSpan _delay;

        public BoundedRetry(int maxRetries, TimeSpan delay)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
            _maxRetries = maxRetries;
            _delay = delay;
        }

        public override bool ShouldRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
        {
            delay = _delay;
            return retryCount < _maxRetries;
        }
    }

    private sealed class UntilElapsedRetry : RetryPolicy
    {
        private readonly TimeSpan _total;
        private readonly TimeSpan _delay;

        public UntilElapsedRetry(TimeSpan total, TimeSpan delay)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(total, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
            _total = total;
            _delay = delay;
        }

        public override bool ShouldRetry(int retryCount, TimeSpan elapsed, out TimeSpan delay)
        {
            delay = _delay;
            return elapsed + _delay < _total;
        }
    }
}
