using Recipes.Testing.Xunit;

namespace Recipes.Core.Tests.Watching;

/// <summary>The watching tests share one standalone server and run one after the other (some restart it).</summary>
[CollectionDefinition(Name)]
public sealed class WatchingServerCollection : ICollectionFixture<ZooKeeperServerFixture>
{
    public const string Name = "Core watching (ZooKeeper server)";
}

/// <summary>The watching tests that kill ensemble members.</summary>
[CollectionDefinition(Name)]
public sealed class WatchingEnsembleCollection : ICollectionFixture<ZooKeeperEnsembleFixture>
{
    public const string Name = "Core watching (ZooKeeper ensemble)";
}

/// <summary>Memory measurements: run alone (after the parallel collections), so the heap holds nothing else that grows.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WatchingMemoryCollection
{
    public const string Name = "Core watching (memory)";
}
