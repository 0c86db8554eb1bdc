using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Recipes.ZooKeeper.Internal;

/// <summary>
/// Delivers watch events and state changes to user code, one at a time and in order, on its own task, so a slow
/// handler never stalls the reader loop (pings, replies).
/// </summary>
internal sealed class EventDispatcher
{
    private readonly Channel<DispatchItem> _channel = Channel.CreateUnbounded<DispatchItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public Task Completion => _loop;

    public void Post(IReadOnlyList<IWatcher> watchers, WatchedEvent @event)
    {
        if (watchers.Count > 0)
        {
            _channel.Writer.TryWrite(new DispatchItem(watchers, @event, null));
        }
    }

    public void Post(Action action) => _channel.Writer.TryWrite(new DispatchItem(null, null, action));

    /// <summary>Stops after delivering what is queued.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private async Task RunAsync()
    {
        await foreach (var item in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (item.Action is not null)
            {
                Invoke(item.Action, "state change handler");
                continue;
            }

            foreach (var watcher in item.Watchers!)
            {
                try
                {
                    watcher.Process(item.Event!);
                }
                catch (Exception exception)
                {
                    _logger.LogError(exception, "A watcher threw while handling {Event}; the exception was swallowed.", item.Event);
                }
            }
        }
    }

    private void Invoke(Action action, string what)
    {
        try
        {
            action();
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "A {What} threw; the exception was swallowed.", what);
        }
    }

    private sealed record DispatchItem(IReadOnlyList<IWatcher>? Watchers, WatchedEvent? Event, Action? Action);
}
