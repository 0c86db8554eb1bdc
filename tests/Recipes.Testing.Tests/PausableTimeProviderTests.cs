namespace Recipes.Testing.Tests;

/// <summary>The frozen clock of a simulated process pause: time stands still, timers are held back, then all fire.</summary>
public sealed class PausableTimeProviderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task While_paused_the_clock_stands_still_and_timers_do_not_fire()
    {
        var clock = new PausableTimeProvider();
        clock.Pause();
        Assert.True(clock.IsPaused);
        var frozen = clock.GetTimestamp();
        var frozenNow = clock.GetUtcNow();
        var realStart = System.Diagnostics.Stopwatch.GetTimestamp();
        var delay = Task.Delay(TimeSpan.FromMilliseconds(20), clock);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(20), clock);

        // Wait on the real clock well past both deadlines.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(delay.IsCompleted);
        Assert.False(timeout.IsCancellationRequested);
        Assert.Equal(frozen, clock.GetTimestamp());
        Assert.Equal(frozenNow, clock.GetUtcNow());

        // (Compared with the real time that passed, not with the 300 ms asked of Task.Delay, which may end a little early.)
        var realPaused = System.Diagnostics.Stopwatch.GetElapsedTime(realStart);
        clock.Resume();
        await delay.WaitAsync(Patience);
        await Eventually.HoldsAsync(() => timeout.IsCancellationRequested, Patience, "the held-back timeout fires on resume");
        Assert.True(clock.GetElapsedTime(frozen) >= realPaused, "the clock jumps to the real time on resume");
        Assert.Equal(1, clock.PauseCount);
    }

    [Fact]
    public async Task A_periodic_timer_held_back_fires_once_on_resume_and_then_keeps_its_period()
    {
        var clock = new PausableTimeProvider();
        var ticks = 0;
        using var timer = clock.CreateTimer(_ => Interlocked.Increment(ref ticks), null, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));
        await Eventually.HoldsAsync(() => Volatile.Read(ref ticks) > 0, Patience, "the timer ticks while running");

        clock.Pause();
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        var during = Volatile.Read(ref ticks);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.Equal(during, Volatile.Read(ref ticks));

        clock.Resume();
        await Eventually.HoldsAsync(() => Volatile.Read(ref ticks) > during + 2, Patience, "the timer ticks again after resume");
    }

    [Fact]
    public async Task A_disposed_timer_does_not_fire_on_resume()
    {
        var clock = new PausableTimeProvider();
        var fired = 0;
        var timer = clock.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
        clock.Pause();
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        timer.Dispose();
        clock.Resume();
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, Volatile.Read(ref fired));
    }
}
