using Recipes.Configuration;
using Recipes.Core;

namespace Microsoft.Extensions.Configuration;

/// <summary>Adds ZooKeeper as a configuration source.</summary>
public static class ZooKeeperConfigurationExtensions
{
    /// <summary>
    /// Adds the subtree at <paramref name="path"/>, read through <paramref name="connection"/> (which the application
    /// owns and disposes; register the same instance in DI to share it). Building the configuration waits (bounded) for
    /// the first load; see <see cref="ZooKeeperConfigurationOptions"/>.
    /// </summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The root znode, e.g. <c>/config/myapp</c>.</param>
    /// <param name="configure">Adjusts the settings (mode, key prefix, filter, validation, snapshot...).</param>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, IZooKeeperConnection connection, string path, Action<ZooKeeperConfigurationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return builder.AddZooKeeper(o =>
        {
            o.Connection = connection;
            o.Path = path;
            configure?.Invoke(o);
        });
    }

    /// <summary>
    /// Adds the subtree at <paramref name="path"/>, read through a connection the source creates from
    /// <paramref name="connectionOptions"/> and disposes with the configuration.
    /// </summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="connectionOptions">The connection's settings.</param>
    /// <param name="path">The root znode, e.g. <c>/config/myapp</c>.</param>
    /// <param name="configure">Adjusts the settings (mode, key prefix, filter, validation, snapshot...).</param>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, ZooKeeperConnectionOptions connectionOptions, string path, Action<ZooKeeperConfigurationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(connectionOptions);
        return builder.AddZooKeeper(o =>
        {
            o.ConnectionOptions = connectionOptions;
            o.Path = path;
            configure?.Invoke(o);
        });
    }

    /// <summary>Adds a ZooKeeper source configured by <paramref name="configure"/> (set the path and a connection or its options).</summary>
    /// <param name="builder">The configuration builder.</param>
    /// <param name="configure">Sets the settings.</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public static IConfigurationBuilder AddZooKeeper(this IConfigurationBuilder builder, Action<ZooKeeperConfigurationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ZooKeeperConfigurationOptions();
        configure(options);
        return builder.Add(new ZooKeeperConfigurationSource(options));
    }
}
