using Recipes.Testing.Xunit;

namespace Recipes.Leader.Tests;

/// <summary>The leader tests share one standalone server; each test works under its own root (the connection's namespace).</summary>
[CollectionDefinition(Name)]
public sealed class LeaderCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Leader (ZooKeeper server)";
}
