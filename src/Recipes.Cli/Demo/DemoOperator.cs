using Recipes.Configuration;
using Recipes.Core;
using Recipes.Discovery;

namespace Recipes.Cli.Demo;

/// <summary>
/// The demo's own operator session (not a worker): it writes the workers' configuration and watches the
/// <see cref="DemoContext.ServiceName"/> service through a discovery <see cref="ServiceCache"/>.
/// </summary>
internal sealed class DemoOperator : IAsyncDisposable
{
    private readonly ZooKeeperConnection _connection;
    private readonly ServiceDiscovery _discovery;

    private DemoOperator(ZooKeeperConnection connection, ServiceDiscovery discovery, ServiceCache services, ZooKeeperConfigurationWriter config)
    {
        _connection = connection;
        _discovery = discovery;
        Services = services;
        Config = config;
    }

    /// <summary>The live instances of the workers' service, as any client of discovery sees them.</summary>
    public ServiceCache Services { get; }

    /// <summary>Writes keys under the demo's config root.</summary>
    public ZooKeeperConfigurationWriter Config { get; }

    public static async Task<DemoOperator> StartAsync(DemoContext demo, ZooKeeperConnectionOptions options, CancellationToken cancellationToken)
    {
        var connection = await ZooKeeperConnection.StartAsync(options, cancellationToken);
        var discovery = new ServiceDiscovery(connection, new ServiceDiscoveryOptions { BasePath = demo.ServicesPath });
        var services = discovery.CreateCache(DemoContext.ServiceName);
        var result = new DemoOperator(connection, discovery, services, new ZooKeeperConfigurationWriter(connection, demo.ConfigPath));
        try
        {
            await result.Config.SetAsync(demo.ConfigKey, demo.InitialBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            services.Changed += (_, e) => demo.ServiceChanged(services, e);
            await services.StartAsync(cancellationToken);
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await _discovery.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
