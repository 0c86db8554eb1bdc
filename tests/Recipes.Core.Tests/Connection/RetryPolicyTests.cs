using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Connection;

/// <summary>The retry policies and which failures may be retried.</summary>
public sealed class RetryPolicyTests
{
    [Fact]
    public void Only_connection_loss_operation_timeout_and_session_moved_are_retryable()
    {
        Assert.True(RetryPolicy.IsRetryable(new ConnectionLossException("/a")));
        Assert.True(RetryPolicy.IsRetryable(new OperationTimeoutException("/a")));
        Assert.True(RetryPolicy.IsRetryable(new SessionMovedException("/a")));
        Assert.False(RetryPolicy.IsRetryable(new SessionExpiredException("/a")));
        Assert.False(RetryPolicy.IsRetryable(new NoNodeException("/a")));
        Assert.False(RetryPolicy.IsRetryable(new NodeExistsException("/a")));
        Assert.False(RetryPolicy.IsRetryable(new InvalidOperationException()));
    }

    [Fact]
    public void None_never_retries()
    {
        Assert.False(RetryPolicy.None.ShouldRetry(0, TimeSpan.Zero, out _));
    }

    [Fact]
    public void Exponential_backoff_grows_with_jitter_up_to_the_cap_and_stops_after_the_limit()
    {
        var policy = RetryPolicy.ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), maxRetries: 6);
        for (var retry = 0; retry < 6; retry++)
        {
            Assert.True(policy.ShouldRetry(retry, TimeSpan.Zero, out var delay));
            var ceiling = Math.Min(1000, 100 * Math.Pow(2, retry));
            Assert.InRange(delay.TotalMilliseconds, ceiling / 2, ceiling);
        }

        Assert.False(policy.ShouldRetry(6, TimeSpan.Zero, out _));
    }

    [Fact]
    public void Exponential_backoff_delays_are_jittered()
    {
        var policy = RetryPolicy.ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 10);
        var delays = Enumerable.Range(0, 50).Select(_ =>
        {
            policy.ShouldRetry(3, TimeSpan.Zero, out var delay);
            return delay;
        }).Distinct().Count();
        Assert.True(delays > 1, "50 draws gave a single delay: no jitter.");
    }

    [Fact]
    public void Bounded_retries_a_fixed_number_of_times_with_a_fixed_delay()
    {
        var policy = RetryPolicy.Bounded(2, TimeSpan.FromMilliseconds(50));
        Assert.True(policy.ShouldRetry(0, TimeSpan.Zero, out var delay));
        Assert.Equal(TimeSpan.FromMilliseconds(50), delay);
        Assert.True(policy.ShouldRetry(1, TimeSpan.FromHours(1), out _));
        Assert.False(policy.ShouldRetry(2, TimeSpan.Zero, out _));
    }

    [Fact]
    public void Until_elapsed_stops_when_the_next_delay_would_pass_the_budget()
    {
        var policy = RetryPolicy.UntilElapsed(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));
        Assert.True(policy.ShouldRetry(100, TimeSpan.FromMilliseconds(700), out _));
        Assert.False(policy.ShouldRetry(0, TimeSpan.FromMilliseconds(800), out _));
    }

    [Fact]
    public void Invalid_policy_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.ExponentialBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.ExponentialBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.Bounded(-1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.UntilElapsed(TimeSpan.Zero, TimeSpan.Zero));
    }
}
