using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// Runs one refresh at a time and coalesces requests: any number of requests made while a refresh runs cause exactly
/// one more refresh after it. A failed refresh is retried with capped exponential backoff until one succeeds, a new
/// request arrives, or the loop is stopped.
/// </summary>
internal sealed class RefreshLoop
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly Func<CancellationToken, Task> _refresh;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _what;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private List<TaskCompletionSource>? _waiters;
    private Task _run = Task.CompletedTask;
    private ITimer? _retryTimer;
    private bool _running;
    private bool _pending;
    private bool _stopped;
    private int _failures;

    /// <param name="refresh">The refresh; it gets a token that fires when the loop is stopped.</param>
    /// <param name="time">The clock for retry delays.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="what">What is refreshed, for log messages (e.g. "node watcher /a").</param>
    public RefreshLoop(Func<CancellationToken, Task> refresh, TimeProvider time, ILogger logger, string what)
    {
        _refresh = refresh;
        _time = time;
        _logger = logger;
        _what = what;
    }

    /// <summary>Asks for a refresh (fire and forget). Cheap and non-blocking: safe on an event dispatcher.</summary>
    public void Request() => Request(null);

    /// <summary>
    /// Asks for a refresh and returns a task that completes when a refresh that began after this call has finished:
    /// successfully, or faulted with its exception (the loop still retries in the background).
    /// </summary>
    public Task RequestAsync()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Request(waiter);
        return waiter.Task;
    }

    /// <summary>
    /// Stops the loop: no refresh starts any more; a running one gets <paramref name="grace"/> to finish on its own
    /// (so a request already on the wire can complete) and is then cancelled. Waits until it has ended.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Task run;
        List<TaskCompletionSource>? waiters;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _retryTimer?.Dispose();
            _retryTimer = null;
            run = _run;
            waiters = _waiters;
            _waiters = null;
        }

        waiters?.ForEach(w => w.TrySetException(new ObjectDisposedException(_what)));
        try
        {
            await run.WaitAsync(grace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await run.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void Request(TaskCompletionSource? waiter)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                waiter?.TrySetException(new ObjectDisposedException(_what));
                return;
            }

            if (waiter is not null)
            {
                (_waiters ??= []).Add(waiter);
            }

            _pending = true;
            if (!_running)
            {
                _running = true;
                _run = Task.Run(RunAsync);
            }
        }
    }

    // Never throws: every outcome is handled here.
    private async Task RunAsync()
    {
        while (true)
        {
            List<TaskCompletionSource>? waiters;
            lock (_lock)
            {
                if (!_pending || _stopped)
                {
                    _running = false;
                    return;
                }

                _pending = false;
                waiters = _waiters;
                _waiters = null;
                _retryTimer?.Dispose();
                _retryTimer = null;
            }

            try
            {
                await _refresh(_stopping.Token).ConfigureAwait(false);
                if (_failures > 0)
                {
                    _logger.LogInformation("The {What} is armed again after {Failures} failed attempt(s).", _what, _failures);
                    _failures = 0;
                }

                waiters?.ForEach(w => w.TrySetResult());
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                waiters?.ForEach(w => w.TrySetException(new ObjectDisposedException(_what)));
            }
            catch (Exception exception)
            {
                waiters?.ForEach(w => w.TrySetException(exception));
                OnFailure(exception);
            }
        }
    }

    private void OnFailure(Exception exception)
    {
        _failures++;
        var expected = exception is ConnectionLossException or SessionExpiredException or OperationTimeoutException or ObjectDisposedException;
        var level = _failures == 1 && !expected ? LogLevel.Warning : LogLevel.Debug;
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 16))));
        _logger.Log(level, exception, "Refreshing the {What} failed (attempt {Failures}); retrying in {Delay} ms.", _what, _failures, delay.TotalMilliseconds);
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            _retryTimer?.Dispose();
            _retryTimer = _time.CreateTimer(static state => ((RefreshLoop)state!).Request(), this, delay, Timeout.InfiniteTimeSpan);
        }
    }
}
