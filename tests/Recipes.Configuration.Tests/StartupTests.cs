using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Configuration.Tests;

/// <summary>Start-up when ZooKeeper is unreachable (a refusing proxy in front of the server): fail clearly, or start from the snapshot and catch up.</summary>
[Collection(ConfigurationCollection.Name)]
public sealed class StartupTests(ZooKeeperServerFixture zk, ITestOutputHelper output) : IAsyncLifetime
{
    private ZooKeeperConnection _connection = null!;
    private DirectoryInfo _directory = null!;

    public async Task InitializeAsync()
    {
        _connection = await ConfigTestKit.ConnectAsync(zk.ConnectionString, output, "writer");
        _directory = Directory.CreateTempSubdirectory("recipes-config-");
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Unreachable_ZooKeeper_at_start_fails_with_a_clear_error()
    {
        var root = zk.NewRoot(nameof(Unreachable_ZooKeeper_at_start_fails_with_a_clear_error));
        await using var proxy = ConfigTestKit.StartProxy(zk);
        proxy.Mode = FaultMode.Refuse;
        var options = Through(proxy, "app");

        var error = Assert.Throws<InvalidOperationException>(
            () => new ConfigurationBuilder().AddZooKeeper(options, root, o => o.StartupTimeout = TimeSpan.FromSeconds(3)).Build());

        Assert.Contains(root, error.Message, StringComparison.Ordinal);
        Assert.Contains(proxy.ConnectionString, error.Message, StringComparison.Ordinal);
        Assert.Contains("not loaded within 3 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("SnapshotPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_from_a_snapshot_that_does_not_exist_fails_with_a_clear_error()
    {
        var root = zk.NewRoot(nameof(Starting_from_a_snapshot_that_does_not_exist_fails_with_a_clear_error));
        await using var proxy = ConfigTestKit.StartProxy(zk);
        proxy.Mode = FaultMode.Refuse;
        var options = Through(proxy, "app");

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder().AddZooKeeper(options, root, o =>
        {
            o.StartupTimeout = TimeSpan.FromSeconds(2);
            o.SnapshotPath = Path.Combine(_directory.FullName, "missing.json");
            o.StartFromSnapshot = true;
        }).Build());

        Assert.Contains("snapshot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_ZooKeeper_at_start_uses_the_snapshot_then_catches_up()
    {
        var root = zk.NewRoot(nameof(Unreachable_ZooKeeper_at_start_uses_the_snapshot_then_catches_up));
        var snapshot = Path.Combine(_directory.FullName, "app", "config.snapshot.json");
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Mode"] = "v1", ["Service:Limit"] = "11" });
        await using var proxy = ConfigTestKit.StartProxy(zk);

        // A first run writes the snapshot after its good load.
        await using (var first = ConfiguredApp.Build(b => b.AddZooKeeper(Through(proxy, "first"), root, o => o.SnapshotPath = snapshot)))
        {
            Assert.Equal("v1", first.Monitor.CurrentValue.Mode);
            await ConfigTestKit.EventuallyAsync(() => File.Exists(snapshot) && File.ReadAllText(snapshot).Contains("v1", StringComparison.Ordinal), "the snapshot to be written");
        }

        // While the application is down, the configuration changes; then ZooKeeper becomes unreachable.
        await writer.SetAsync("Service:Mode", "v2");
        proxy.Mode = FaultMode.Refuse;
        proxy.Reset();

        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(Through(proxy, "second"), root, o =>
        {
            o.SnapshotPath = snapshot;
            o.StartFromSnapshot = true;
            o.StartupTimeout = TimeSpan.FromSeconds(2);
        }));

        Assert.True(app.Provider.IsFromSnapshot);
        Assert.Equal(("v1", 11), (app.Monitor.CurrentValue.Mode, app.Monitor.CurrentValue.Limit));
        Assert.Equal(HealthStatus.Degraded, (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);

        proxy.Mode = FaultMode.Pass;

        var caughtUp = await app.ChangedAsync(s => s.Mode == "v2", "the catch-up to ZooKeeper's v2");
        Assert.Equal(11, caughtUp.Limit);
        Assert.False(app.Provider.IsFromSnapshot);
        Assert.True(app.Provider.IsLoadedFromZooKeeper);
        Assert.Equal(HealthStatus.Healthy, (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
        await ConfigTestKit.EventuallyAsync(() => File.ReadAllText(snapshot).Contains("v2", StringComparison.Ordinal), "the snapshot to follow");
    }

    private ZooKeeperConnectionOptions Through(FaultProxy proxy, string name)
    {
        var options = ConfigTestKit.ConnectionOptions(proxy.ConnectionString, output, name);
        options.ConnectionWaitTimeout = TimeSpan.FromSeconds(1);
        return options;
    }
}
