using Recipes.Testing.Xunit;

namespace Recipes.Core.Tests.Interop;

/// <summary>The Curator interop tests share one standalone server; each test works under its own root.</summary>
[CollectionDefinition(Name)]
public sealed class InteropCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Core interop with Curator (ZooKeeper server)";
}
