using Recipes.Testing.Xunit;

namespace Recipes.Leader.Tests;

/// <summary>The leader tests that kill ZooKeeper servers share one 3-node ensemble.</summary>
[CollectionDefinition(Name)]
public sealed class LeaderEnsembleCollection : ICollectionFixture<ZooKeeperEnsembleFixture>
{
    public const string Name = "Leader (ZooKeeper ensemble)";
}
