using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Recipes.Core.Internal;

/// <summary>Runs posted callbacks one at a time, in order, off the caller's thread; exceptions are logged.</summary>
internal sealed class SerialDispatcher
{
    private readonly Channel<Action> _channel = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public SerialDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Post(Action action) => _channel.Writer.TryWrite(action);

    public async Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        await foreach (var action in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "A connection state handler threw; the exception was swallowed.");
            }
        }
    }
}
