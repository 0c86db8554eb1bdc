using Recipes.Testing.Xunit;

namespace Recipes.Testing.Tests;

/// <summary>Tests that share one standalone server run in this collection (one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "ZooKeeper server";
}
