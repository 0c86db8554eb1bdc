using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The machinery shared by <see cref="NodeWatcher"/> and <see cref="ChildrenWatcher"/>: keeps one-shot watches on a
/// path armed for ever and publishes the value read with them.
/// </summary>
/// <remarks>
/// Every watch event, every (re)connection (same session: events may have been missed; new session: the old watches
/// died with it) and every failure (after a backoff) leads to a re-read that also re-arms the watch. Re-reads run one at
/// a time and coalesce, off the client's event dispatcher. <see cref="Changed"/> fires only when the read value differs
/// from the published one according to the comparer.
/// </remarks>
/// <typeparam name="T">The published value; null means "the node does not exist".</typeparam>
internal sealed class RearmingWatch<T>
    where T : class
{
    /// <summary>How long disposal lets a read already on the wire finish (so its watch can be removed).</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    private readonly IZooKeeperConnection _connection;
    private readonly string _path;
    private readonly string _what;
    private readonly Func<IZooKeeperClient, IWatcher, CancellationToken, Task<T?>> _read;
    private readonly Func<T?, T?, bool> _same;
    private readonly ILogger _logger;
    private readonly IWatcher _watcher;
    private readonly RefreshLoop _loop;
    private readonly Lock _lock = new();
    private readonly List<Waiter> _waiters = [];
    private IZooKeeperClient? _armedOn;
    private T? _current;
    private bool _hasValue;
    private int _state;

    /// <param name="connection">The connection.</param>
    /// <param name="path">The watched path.</param>
    /// <param name="what">What this is, for log messages.</param>
    /// <param name="read">Reads the value, setting the watch with the given watcher; null when the node is missing.</param>
    /// <param name="same">Whether two values are the same (then no change is published).</param>
    /// <param name="logger">Where to log.</param>
    public RearmingWatch(
        IZooKeeperConnection connection,
        string path,
        string what,
        Func<IZooKeeperClient, IWatcher, CancellationToken, Task<T?>> read,
        Func<T?, T?, bool> same,
        ILogger logger)
    {
        _connection = connection;
        _path = path;
        _what = what;
        _read = read;
        _same = same;
        _logger = logger;
        _watcher = Watcher.Create(OnWatchEvent);
        _loop = new RefreshLoop(RefreshAsync, connection.TimeProvider, logger, what);
    }

    /// <summary>Raised (off the client's dispatcher, one at a time) with the new value when it changed.</summary>
    public event Action<T?>? Changed;

    /// <summary>The latest value; null before the first read and while the node does not exist.</summary>
    public T? Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Subscribes to connection changes and performs the first read (which arms the watch).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var state = Interlocked.CompareExchange(ref _state, 1, 0);
        ObjectDisposedException.ThrowIf(state == 2, this);
        if (state == 0)
        {
            _connection.StateChanged += OnStateChanged;
        }

        await _loop.RequestAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes with the first value (the current one included) that satisfies <paramref name="predicate"/>.</summary>
    public async Task<T?> WaitAsync(Func<T?, bool> predicate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var waiter = new Waiter(predicate);
        T? current;
        bool hasValue;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_state == 2, this);
            _waiters.Add(waiter);
            current = _current;
            hasValue = _hasValue;
        }

        if (hasValue)
        {
            waiter.Offer(current);
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Stops re-arming, unsubscribes, fails pending waits and removes the watch from the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _connection.StateChanged -= OnStateChanged;
        await _loop.StopAsync(StopGrace).ConfigureAwait(false);
        Waiter[] waiters;
        lock (_lock)
        {
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in waiters)
        {
            waiter.Fail(new ObjectDisposedException(_what));
        }

        if (Volatile.Read(ref _armedOn) is { } client)
        {
            await WatchRemoval.RemoveAsync(client, _path, _watcher, _logger, _connection.TimeProvider).ConfigureAwait(false);
        }
    }

    private void OnWatchEvent(WatchedEvent watchedEvent)
    {
        // Runs on the client's dispatcher: only hand off.
        if (Volatile.Read(ref _state) == 1
            && watchedEvent.Type is EventType.NodeCreated or EventType.NodeDeleted or EventType.NodeDataChanged or EventType.NodeChildrenChanged)
        {
            _loop.Request();
        }
    }

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (Volatile.Read(ref _state) == 1 && change.State.IsConnected())
        {
            _logger.LogDebug("The {What} re-reads after the connection became {State}{NewSession}.", _what, change.State, change.IsNewSession ? " with a new session" : "");
            _loop.Request();
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var value = await _connection.ExecuteAsync(
            (client, token) =>
            {
                Volatile.Write(ref _armedOn, client);
                return _read(client, _watcher, token);
            },
            cancellationToken).ConfigureAwait(false);
        Publish(value);
    }

    private void Publish(T? value)
    {
        bool changed;
        Waiter[] waiters;
        lock (_lock)
        {
            changed = _hasValue && !_same(_current, value);
            _current = value;
            _hasValue = true;
            waiters = [.. _waiters];
        }

        if (changed)
        {
            try
            {
                Changed?.Invoke(value);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "A Changed handler of the {What} threw.", _what);
            }
        }

        foreach (var waiter in waiters)
        {
            waiter.Offer(value);
        }
    }

    private sealed class Waiter(Func<T?, bool> predicate)
    {
        private readonly TaskCompletionSource<T?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T?> Task => _completion.Task;

        public void Offer(T? value)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }

            try
            {
                if (predicate(value))
                {
                    _completion.TrySetResult(value);
                }
            }
            catch (Exception exception)
            {
                _completion.TrySetException(exception);
            }
        }

        public void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
