namespace Recipes.Testing.Tests;

/// <summary>Polls a condition until it holds or a timeout passes (no fixed sleeps in tests).</summary>
internal static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(Interval);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what)
        => HoldsAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Awaits a task, failing if it does not finish in time.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
        }
    }
}
