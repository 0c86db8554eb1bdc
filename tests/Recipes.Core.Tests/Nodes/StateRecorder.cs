using System.Collections.Concurrent;

namespace Recipes.Core.Tests.Nodes;

/// <summary>Records a connection's state changes and lets a test wait for one.</summary>
internal sealed class StateRecorder : IDisposable
{
    private readonly IZooKeeperConnection _connection;
    private readonly ConcurrentQueue<ConnectionStateChange> _changes = new();
    private readonly Lock _lock = new();
    private readonly List<(Func<ConnectionStateChange, bool> Match, TaskCompletionSource<ConnectionStateChange> Done)> _waiters = [];

    public StateRecorder(IZooKeeperConnection connection)
    {
        _connection = connection;
        connection.StateChanged += OnChanged;
    }

    public IReadOnlyList<ConnectionStateChange> Changes => _changes.ToArray();

    /// <summary>A task that completes with the first change (from now on) matching <paramref name="match"/>.</summary>
    public Task<ConnectionStateChange> Next(Func<ConnectionStateChange, bool> match)
    {
        var done = new TaskCompletionSource<ConnectionStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiters.Add((match, done));
        }

        return done.Task;
    }

    public void Dispose() => _connection.StateChanged -= OnChanged;

    private void OnChanged(object? sender, ConnectionStateChange change)
    {
        _changes.Enqueue(change);
        lock (_lock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(change))
                {
                    _waiters[i].Done.TrySetResult(change);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
