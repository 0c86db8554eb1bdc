using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Runs operations on one captured session's client (never on a replacement session), retrying transient failures
/// per the connection's <see cref="RetryPolicy"/> for as long as that session's ownership holds.
/// </summary>
internal static class SessionRetry
{
    public static async Task<T> RunAsync<T>(
        IZooKeeperConnection connection,
        ZooKeeperSession session,
        Func<IZooKeeperClient, CancellationToken, Task<T>> operation,
        CancellationToken cancellationToken)
    {
        var policy = connection.Options.RetryPolicy;
        var time = connection.TimeProvider;
        var start = time.GetTimestamp();
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await operation(session.Client, cancellationToken);
            }
            catch (Exception e) when (RetryPolicy.IsRetryable(e) && !session.IsOwnershipLost && !cancellationToken.IsCancellationRequested)
            {
                if (!policy.ShouldRetry(retry, time.GetElapsedTime(start), out var delay))
                {
                    throw;
                }

                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>Whether an exception means the session's client can never succeed again (expired, closed, disposed).</summary>
    public static bool IsSessionGone(Exception exception) =>
        exception is SessionExpiredException or AuthFailedException or ObjectDisposedException;
}
