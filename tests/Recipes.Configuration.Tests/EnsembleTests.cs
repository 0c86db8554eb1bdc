using Microsoft.Extensions.Configuration;
using Recipes.Core;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Configuration.Tests;

[CollectionDefinition(Name)]
public sealed class ConfigurationEnsembleCollection : ICollectionFixture<ZooKeeperEnsembleFixture>
{
    public const string Name = "Configuration (3-node ensemble)";
}

/// <summary>A 3-node ensemble loses its leader: reloads continue once the ensemble elects a new one.</summary>
[Collection(ConfigurationEnsembleCollection.Name)]
public sealed class EnsembleTests(ZooKeeperEnsembleFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Reloads_continue_after_the_leader_is_killed()
    {
        var root = zk.NewRoot(nameof(Reloads_continue_after_the_leader_is_killed));
        var writerOptions = ConfigTestKit.ConnectionOptions(zk.ConnectionString, output, "writer");
        // Generous bounds: on a loaded machine the election after the kill can take a while, and no session may expire.
        writerOptions.SessionTimeout = TimeSpan.FromSeconds(10);
        writerOptions.ConnectionWaitTimeout = TimeSpan.FromSeconds(45);
        await using var connection = await ZooKeeperConnection.StartAsync(writerOptions);
        var writer = new ZooKeeperConfigurationWriter(connection, root);
        await writer.SetAsync("Service:Mode", "first");
        var appOptions = ConfigTestKit.ConnectionOptions(zk.ConnectionString, output, "app");
        appOptions.SessionTimeout = TimeSpan.FromSeconds(10);
        appOptions.ConnectionWaitTimeout = TimeSpan.FromSeconds(45);
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(appOptions, root));
        Assert.Equal("first", app.Monitor.CurrentValue.Mode);

        var leader = await zk.Ensemble.FindLeaderAsync();
        await zk.Ensemble.KillNodeAsync(leader);
        try
        {
            await writer.SetAsync("Service:Mode", "second");
            await app.ChangedAsync(s => s.Mode == "second", "the change written after the leader died");

            await writer.SetAsync("Service:Mode", "third");
            await app.ChangedAsync(s => s.Mode == "third", "the next change");
        }
        finally
        {
            await zk.Ensemble.StartNodeAsync(leader);
            await zk.Ensemble.WaitForQuorumAsync(TimeSpan.FromSeconds(60));
        }

        await writer.SetAsync("Service:Mode", "fourth");
        await app.ChangedAsync(s => s.Mode == "fourth", "a change with the whole ensemble back");
    }
}
