using Recipes.Testing.Xunit;

namespace Recipes.Configuration.Tests;

/// <summary>The configuration tests share one standalone server; each test works under its own root path.</summary>
[CollectionDefinition(Name)]
public sealed class ConfigurationCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Configuration (ZooKeeper server)";
}
