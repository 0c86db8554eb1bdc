using Recipes.Testing.Xunit;

namespace Recipes.Chaos.Tests;

/// <summary>Chaos runs on one standalone server (restarted as a fault), one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class ChaosServerCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Chaos: standalone server";
}
