using Recipes.Testing.Xunit;

namespace Recipes.Core.Tests.Nodes;

/// <summary>The node tests share one standalone server and run one after the other (some stop and restart it).</summary>
[CollectionDefinition(Name)]
public sealed class NodesCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Core nodes (ZooKeeper server)";
}
