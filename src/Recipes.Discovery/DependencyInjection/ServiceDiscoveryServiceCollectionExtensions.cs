using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recipes.Core;
using Recipes.Discovery;
using Recipes.Discovery.Hosting;
using Recipes.Discovery.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ZooKeeper service discovery and this application's own registration.</summary>
public static class ServiceDiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="ServiceDiscovery"/> over the shared connection, with options validated at start
    /// (<c>ValidateOnStart</c>). Idempotent; later calls only add their <paramref name="configure"/>. Requires <c>AddZooKeeper(...)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the base path, the registration timeout and the shared providers' settings.</param>
    public static IServiceCollection AddZooKeeperDiscovery(this IServiceCollection services, Action<ServiceDiscoveryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ServiceDiscoveryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceDiscoveryOptions>>(new OptionsValidator<ServiceDiscoveryOptions>(o => o.Validate())));
        services.TryAddSingleton(sp => new ServiceDiscovery(sp.GetRequiredService<IZooKeeperConnection>(), sp.GetRequiredService<IOptions<ServiceDiscoveryOptions>>().Value));
        return services;
    }

    /// <summary>
    /// Registers this application as an instance of a service while the host runs: registered once the host has
    /// started (with the server's bound URLs for any address or port not configured), unregistered as soon as it
    /// begins stopping. Also calls <see cref="AddZooKeeperDiscovery"/>. Requires <c>AddZooKeeper(...)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Names the service and sets the address, ports, payload and type; validated at start.</param>
    public static IServiceCollection AddZooKeeperServiceRegistration(this IServiceCollection services, Action<ServiceRegistrationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddZooKeeperDiscovery();
        services.AddOptions<ServiceRegistrationOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceRegistrationOptions>>(new OptionsValidator<ServiceRegistrationOptions>(o => o.Validate())));
        services.AddSingleton<IHostedService>(sp => new ServiceRegistrationHostedService(
            sp.GetRequiredService<ServiceDiscovery>(),
            sp.GetRequiredService<IOptions<ServiceRegistrationOptions>>().Value,
            sp,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ServiceRegistrationHostedService>()));
        return services;
    }
}
