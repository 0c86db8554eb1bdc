using Recipes.Testing.Xunit;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>One real ZooKeeper server shared by the client's integration tests; each test works under its own root.</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "client against one server";
}

/// <summary>A 3-node ensemble for fail-over tests.</summary>
[CollectionDefinition(Name)]
public sealed class EnsembleCollection : ICollectionFixture<ZooKeeperEnsembleFixture>
{
    public const string Name = "client against an ensemble";
}
