using Recipes.Testing.Xunit;

namespace Recipes.Locks.Tests;

/// <summary>The lock tests share one standalone server; each works under its own root.</summary>
[CollectionDefinition(Name)]
public sealed class LocksCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Locks (ZooKeeper server)";
}
