namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>Records every state a client moves to, so a test can wait for "the second Connected" without sleeping.</summary>
internal sealed class StateRecorder
{
    private readonly Lock _lock = new();
    private readonly List<ZooKeeperState> _states = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StateRecorder(ZooKeeperClient client) => client.StateChanged += OnChanged;

    public IReadOnlyList<ZooKeeperState> States
    {
        get
        {
            lock (_lock)
            {
                return [.. _states];
            }
        }
    }

    /// <summary>Waits until <paramref name="state"/> has been entered <paramref name="occurrence"/> times.</summary>
    public async Task WaitForAsync(ZooKeeperState state, int occurrence = 1)
    {
        using var timeout = new CancellationTokenSource(FakeConnection.Timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_states.Count(s => s == state) >= occurrence)
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"The client did not enter {state} (occurrence {occurrence}) within {FakeConnection.Timeout.TotalSeconds} s; states: {string.Join(", ", States)}.");
            }
        }
    }

    private void OnChanged(object? sender, ZooKeeperStateChange change)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _states.Add(change.NewState);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
