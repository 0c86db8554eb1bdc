namespace Recipes.Testing;

/// <summary>
/// A clock that can be frozen, to simulate a process that stops (a long garbage-collection pause, a VM freeze, a
/// SIGSTOP) while the rest of the world goes on. Give it to the code under test
/// (<c>ZooKeeperConnectionOptions.TimeProvider</c>, <c>ZooKeeperClientOptions.TimeProvider</c>) and to the test's own
/// delays; see <see cref="ProcessPause"/>.
/// </summary>
/// <remarks>
/// <para>
/// While paused, <see cref="GetTimestamp"/> and <see cref="GetUtcNow"/> stand still and no timer created by this
/// provider fires (so no <c>Task.Delay</c>, timeout or periodic timer on it completes). On <see cref="Resume"/> the
/// clock jumps to the real time, as a real clock does after a pause, and every timer that fell due meanwhile fires
/// once, at once.
/// </para>
/// <para>Only code that measures time through this provider is paused: sockets still deliver bytes, so pair it with a
/// <see cref="FaultMode.Blackhole"/> proxy to silence the network too.</para>
/// </remarks>
public sealed class PausableTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly Lock _lock = new();
    private readonly HashSet<PausableTimer> _due = [];
    private bool _paused;
    private long _frozenTimestamp;
    private DateTimeOffset _frozenUtcNow;
    private int _pauses;

    /// <summary>A clock that follows <paramref name="inner"/> (default <see cref="TimeProvider.System"/>) while not paused.</summary>
    /// <param name="inner">The real clock.</param>
    public PausableTimeProvider(TimeProvider? inner = null) => _inner = inner ?? System;

    /// <summary>Whether the clock is frozen now.</summary>
    public bool IsPaused
    {
        get
        {
            lock (_lock)
            {
                return _paused;
            }
        }
    }

    /// <summary>How many times the clock has been paused.</summary>
    public int PauseCount => Volatile.Read(ref _pauses);

    /// <inheritdoc />
    public override long TimestampFrequency => _inner.TimestampFrequency;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    /// <summary>Freezes the clock and holds back every timer. Pausing a paused clock does nothing.</summary>
    public void Pause()
    {
        lock (_lock)
        {
            if (_paused)
            {
                return;
            }

            _frozenTimestamp = _inner.GetTimestamp();
            _frozenUtcNow = _inner.GetUtcNow();
            _paused = true;
            _pauses++;
        }
    }

    /// <summary>Lets the clock jump to the real time and fires, once each, the timers that fell due while paused.</summary>
    public void Resume()
    {
        PausableTimer[] due;
        lock (_lock)
        {
            if (!_paused)
            {
                return;
            }

            _paused = false;
            due = [.. _due];
            _due.Clear();
        }

        foreach (var timer in due)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static t => t.Invoke(), timer, preferLocal: false);
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _paused ? _frozenTimestamp : _inner.GetTimestamp();
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _paused ? _frozenUtcNow : _inner.GetUtcNow();
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new PausableTimer(this, callback, state, dueTime, period);
    }

    /// <summary>A timer fired: run it now, or hold it back until <see cref="Resume"/>.</summary>
    private bool HoldBack(PausableTimer timer)
    {
        lock (_lock)
        {
            if (!_paused)
            {
                return false;
            }

            _due.Add(timer);
            return true;
        }
    }

    private void Forget(PausableTimer timer)
    {
        lock (_lock)
        {
            _due.Remove(timer);
        }
    }

    private sealed class PausableTimer : ITimer
    {
        private readonly PausableTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _timer;
        private volatile bool _disposed;

        public PausableTimer(PausableTimeProvider owner, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
            _timer = owner._inner.CreateTimer(static s => ((PausableTimer)s!).OnFired(), this, dueTime, period);
        }

        public void Invoke()
        {
            if (!_disposed)
            {
                _callback(_state);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _owner.Forget(this);
            return _timer.Change(dueTime, period);
        }

        public void Dispose()
        {
            _disposed = true;
            _owner.Forget(this);
            _timer.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            _disposed = true;
            _owner.Forget(this);
            await _timer.DisposeAsync();
        }

        private void OnFired()
        {
            if (!_disposed && !_owner.HoldBack(this))
            {
                _callback(_state);
            }
        }
    }
}
