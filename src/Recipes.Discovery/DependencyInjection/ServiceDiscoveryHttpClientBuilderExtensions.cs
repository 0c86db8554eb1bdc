using Microsoft.Extensions.Logging;
using Recipes.Discovery;
using Recipes.Discovery.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Resolves HttpClient requests through ZooKeeper service discovery.</summary>
public static class ServiceDiscoveryHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a handler that treats the host of every request URI as a service name: <c>http://orders/api</c> goes to
    /// <c>http://&lt;address&gt;:&lt;port&gt;/api</c> of a live instance of <c>orders</c> picked by the discovery's shared
    /// provider (<c>https</c> uses the SSL port). An instance that cannot be reached is reported to the down-instance
    /// policy and another is tried. Also calls <c>AddZooKeeperDiscovery()</c>; requires <c>AddZooKeeper(...)</c>.
    /// </summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="configure">Adjusts the number of instances a request may try.</param>
    public static IHttpClientBuilder AddZooKeeperDiscovery(this IHttpClientBuilder builder, Action<ServiceDiscoveryHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new ServiceDiscoveryHttpOptions();
        configure?.Invoke(options);
        options.Validate();
        builder.Services.AddZooKeeperDiscovery();
        return builder.AddHttpMessageHandler(sp => new ServiceDiscoveryHttpHandler(
            sp.GetRequiredService<ServiceDiscovery>(),
            options,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ServiceDiscoveryHttpHandler>()));
    }
}
