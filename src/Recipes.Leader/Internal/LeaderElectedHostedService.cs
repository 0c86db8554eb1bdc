using Microsoft.Extensions.Hosting;
using Recipes.Core;

namespace Recipes.Leader.Internal;

/// <summary>Runs <typeparamref name="TWorker"/> through a <see cref="LeaderSelector"/> for as long as the host runs.</summary>
internal sealed class LeaderElectedHostedService<TWorker> : IHostedService, IAsyncDisposable
    where TWorker : LeaderElectedService
{
    private readonly LeaderSelector _selector;
    private readonly LeadershipRegistry _registry;

    public LeaderElectedHostedService(IZooKeeperConnection connection, string path, LeaderElectionOptions options, TWorker worker, LeadershipRegistry registry)
    {
        _selector = new LeaderSelector(connection, path, worker.RunTermAsync, options);
        _registry = registry;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _registry.Add(_selector);
        await _selector.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _selector.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _registry.Remove(_selector);
        }
    }

    public ValueTask DisposeAsync() => _selector.DisposeAsync();
}
