using Recipes.Discovery;

namespace Recipes.Cli.Demo;

/// <summary>
/// Every worker registers itself in service discovery (service <see cref="DemoContext.ServiceName"/>, DYNAMIC, its own
/// session). Discovery's keeper re-registers it after its session is lost; disposal unregisters it.
/// </summary>
internal sealed class DiscoveryFeature(DemoContext demo) : IDemoWorkerFeature
{
    public async Task<IAsyncDisposable> AttachAsync(DemoWorker worker, CancellationToken cancellationToken)
    {
        var discovery = new ServiceDiscovery(worker.Connection, new ServiceDiscoveryOptions { BasePath = demo.ServicesPath });
        try
        {
            await discovery.RegisterAsync(
                new ServiceInstance
                {
                    Name = DemoContext.ServiceName,
                    Id = worker.Name,
                    Address = "127.0.0.1",
                    ServiceType = ServiceType.Dynamic,
                    Payload = new Dictionary<string, string> { ["worker"] = worker.Name },
                },
                cancellationToken);
        }
        catch
        {
            await discovery.DisposeAsync();
            throw;
        }

        return discovery;
    }
}
