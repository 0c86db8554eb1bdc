using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Recipes.Core;
using Recipes.Locks;
using Recipes.Locks.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ZooKeeper locks.</summary>
public static class ZooKeeperLockServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="ZooKeeperLockProvider"/> over the shared <see cref="IZooKeeperConnection"/>
    /// (register that with <c>AddZooKeeper</c>), with <see cref="ZooKeeperLockOptions"/> validated at start.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options (e.g. the base path); null for the defaults.</param>
    public static IServiceCollection AddZooKeeperLocks(this IServiceCollection services, Action<ZooKeeperLockOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ZooKeeperLockOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZooKeeperLockOptions>, ZooKeeperLockOptionsValidator>());
        services.TryAddSingleton(sp => new ZooKeeperLockProvider(
            sp.GetRequiredService<IZooKeeperConnection>(),
            sp.GetRequiredService<IOptions<ZooKeeperLockOptions>>().Value));
        return services;
    }
}
