using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Recipes.Core;
using Recipes.Leader;
using Recipes.Leader.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers leader-elected hosted services and <see cref="ILeadership"/>.</summary>
public static class LeaderElectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TWorker"/> (a singleton) and a hosted service that takes part in the election at
    /// <paramref name="path"/> while the host runs, and runs the worker's <c>ExecuteAsync</c> each time this instance
    /// leads (cancelled promptly when leadership ends). Also registers <see cref="ILeadership"/>. Requires
    /// <c>AddZooKeeper(...)</c>.
    /// </summary>
    /// <typeparam name="TWorker">The worker.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="path">The election's path (relative to the connection's namespace).</param>
    /// <param name="configure">Adjusts the participant id and retry delay; validated when the host starts.</param>
    public static IServiceCollection AddLeaderElectedService<TWorker>(this IServiceCollection services, string path, Action<LeaderElectionOptions>? configure = null)
        where TWorker : LeaderElectedService
    {
        ArgumentNullException.ThrowIfNull(services);
        Recipes.ZooKeeper.PathUtils.Validate(path);
        services.AddLeadership();
        services.TryAddSingleton<TWorker>();
        services.AddSingleton<IHostedService>(sp =>
        {
            var options = new LeaderElectionOptions();
            configure?.Invoke(options);
            options.Validate();
            return new LeaderElectedHostedService<TWorker>(
                sp.GetRequiredService<IZooKeeperConnection>(),
                path,
                options,
                sp.GetRequiredService<TWorker>(),
                sp.GetRequiredService<LeadershipRegistry>());
        });
        return services;
    }

    /// <summary>Registers <see cref="ILeadership"/> (idempotent). Requires <c>AddZooKeeper(...)</c>.</summary>
    /// <param name="services">The services.</param>
    public static IServiceCollection AddLeadership(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new LeadershipRegistry(sp.GetRequiredService<IZooKeeperConnection>()));
        services.TryAddSingleton<ILeadership>(sp => sp.GetRequiredService<LeadershipRegistry>());
        return services;
    }
}
