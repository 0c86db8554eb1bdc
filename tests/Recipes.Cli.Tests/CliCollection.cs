using Recipes.Testing.Xunit;

namespace Recipes.Cli.Tests;

/// <summary>One real ZooKeeper server shared by the CLI tests; each test works under its own root.</summary>
[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "CLI";
}
