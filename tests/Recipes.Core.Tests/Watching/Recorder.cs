namespace Recipes.Core.Tests.Watching;

/// <summary>Records items raised on other threads and lets a test wait for a condition over them, with a timeout.</summary>
internal sealed class Recorder<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(T item)
    {
        TaskCompletionSource added;
        lock (_lock)
        {
            _items.Add(item);
            added = _added;
            _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        added.TrySetResult();
    }

    public List<T> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the items recorded so far.</summary>
    public async Task WaitAsync(Func<List<T>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? WatchingKit.EventTimeout;
        using var expired = new CancellationTokenSource(limit);
        while (true)
        {
            Task added;
            List<T> items;
            lock (_lock)
            {
                added = _added.Task;
                items = [.. _items];
            }

            if (condition(items))
            {
                return;
            }

            try
            {
                await added.WaitAsync(expired.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}. Recorded: {string.Join("; ", items)}");
            }
        }
    }
}
