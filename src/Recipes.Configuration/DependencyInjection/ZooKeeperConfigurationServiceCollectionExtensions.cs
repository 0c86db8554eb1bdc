using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Recipes.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks over the ZooKeeper configuration sources.</summary>
public static class ZooKeeperConfigurationServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="ZooKeeperConfigurationHealthCheck"/> over every <see cref="ZooKeeperConfigurationProvider"/> of the
    /// application's <see cref="IConfiguration"/> (which must be an <see cref="IConfigurationRoot"/>, as the hosts' is).
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status while updates are rejected; default Unhealthy.</param>
    /// <param name="tags">Tags of the check.</param>
    public static IHealthChecksBuilder AddZooKeeperConfiguration(this IHealthChecksBuilder builder, string name = "zookeeper-configuration", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new ZooKeeperConfigurationHealthCheck(
                (sp.GetRequiredService<IConfiguration>() as IConfigurationRoot)?.Providers.OfType<ZooKeeperConfigurationProvider>() ?? []),
            failureStatus,
            tags));
    }
}
