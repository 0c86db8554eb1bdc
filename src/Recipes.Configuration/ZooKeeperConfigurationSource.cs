using Microsoft.Extensions.Configuration;

namespace Recipes.Configuration;

/// <summary>A configuration source reading a ZooKeeper subtree (see <see cref="ZooKeeperConfigurationProvider"/>).</summary>
public sealed class ZooKeeperConfigurationSource : IConfigurationSource
{
    /// <summary>Creates the source.</summary>
    /// <param name="options">The settings; validated here (copied when the provider is built).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public ZooKeeperConfigurationSource(ZooKeeperConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings.</summary>
    public ZooKeeperConfigurationOptions Options { get; }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ZooKeeperConfigurationProvider(Options);
}
