using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recipes.Core;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the shared ZooKeeper connection.</summary>
public static class ZooKeeperServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IZooKeeperConnection"/> configured by <paramref name="configure"/>, with options
    /// validated at start (<c>ValidateOnStart</c>), the app's logging, and a hosted service that connects on start.
    /// </summary>
    public static IServiceCollection AddZooKeeper(this IServiceCollection services, Action<ZooKeeperConnectionOptions> configure, Action<ZooKeeperHostingOptions>? hosting = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ZooKeeperConnectionOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services, hosting);
    }

    /// <summary>
    /// Registers a singleton <see cref="IZooKeeperConnection"/> bound from <paramref name="configuration"/> (e.g. the
    /// "ZooKeeper" section: ConnectionString, Namespace, SessionTimeout, ConnectionWaitTimeout...), optionally adjusted
    /// by <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddZooKeeper(this IServiceCollection services, IConfiguration configuration, Action<ZooKeeperConnectionOptions>? configure = null, Action<ZooKeeperHostingOptions>? hosting = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<ZooKeeperConnectionOptions>().Bind(configuration);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        return AddCore(services, hosting);
    }

    /// <summary>Adds a health check over the shared connection (see <see cref="ZooKeeperHealthCheck"/>).</summary>
    public static IHealthChecksBuilder AddZooKeeper(this IHealthChecksBuilder builder, string name = "zookeeper", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new ZooKeeperHealthCheck(sp.GetRequiredService<IZooKeeperConnection>()), failureStatus, tags));
    }

    private static IServiceCollection AddCore(IServiceCollection services, Action<ZooKeeperHostingOptions>? hosting)
    {
        services.AddOptions<ZooKeeperHostingOptions>().Configure(o => hosting?.Invoke(o));
        services.AddSingleton<IValidateOptions<ZooKeeperConnectionOptions>, ZooKeeperConnectionOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ZooKeeperConnectionOptions>>().Value;
            options.LoggerFactory ??= sp.GetService<ILoggerFactory>();
            return new ZooKeeperConnection(options);
        });
        services.AddSingleton<IZooKeeperConnection>(sp => sp.GetRequiredService<ZooKeeperConnection>());
        services.AddHostedService<ZooKeeperConnectionHostedService>();
        return services;
    }
}
