using Recipes.Testing.Xunit;

namespace Recipes.Discovery.Tests;

/// <summary>The discovery tests share one standalone server; each test works under its own root (the connection's namespace).</summary>
[CollectionDefinition(Name)]
public sealed class DiscoveryCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Discovery (ZooKeeper server)";
}
