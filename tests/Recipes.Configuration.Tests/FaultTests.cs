using Microsoft.Extensions.Configuration;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Configuration.Tests;

/// <summary>Partitions (a blackholing proxy): after healing, the configuration converges to the server's state.</summary>
[Collection(ConfigurationCollection.Name)]
public sealed class FaultTests(ZooKeeperServerFixture zk, ITestOutputHelper output) : IAsyncLifetime
{
    private ZooKeeperConnection _connection = null!;

    public async Task InitializeAsync() => _connection = await ConfigTestKit.ConnectAsync(zk.ConnectionString, output, "writer");

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_partition_heals_the_configuration_converges_to_the_server(bool untilTheSessionIsLost)
    {
        var root = zk.NewRoot(nameof(After_a_partition_heals_the_configuration_converges_to_the_server) + (untilTheSessionIsLost ? "-lost" : ""));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Mode"] = "before", ["Service:Limit"] = "5", ["Service:Hosts:0"] = "h0" });
        await using var proxy = ConfigTestKit.StartProxy(zk);
        // A short partition is healed while the session lives (a longer session timeout leaves room for that; the
        // server clamps it to 10 s); a long one outlives the session, so the cache resyncs in a new session.
        var appOptions = ConfigTestKit.ConnectionOptions(proxy.ConnectionString, output, "app");
        appOptions.SessionTimeout = untilTheSessionIsLost ? ConfigTestKit.SessionTimeout : TimeSpan.FromSeconds(10);
        appOptions.ConnectTimeout = TimeSpan.FromSeconds(1); // reconnect attempts into the blackhole give up quickly
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(appOptions, root));
        Assert.Equal("before", app.Monitor.CurrentValue.Mode);
        var suspended = ConfigTestKit.NextStateAsync(app.Provider.Connection, ConnectionState.Suspended);
        var lost = ConfigTestKit.NextStateAsync(app.Provider.Connection, ConnectionState.Lost);
        var reconnected = ConfigTestKit.NextStateAsync(app.Provider.Connection, ConnectionState.Reconnected);

        proxy.Mode = FaultMode.Blackhole;
        await suspended.WaitAsync(ConfigTestKit.Patience);

        // Changes during the partition: a change, a delete, a new key, and a key deleted then re-created.
        await writer.SetAsync("Service:Mode", "during");
        await writer.DeleteAsync("Service:Limit");
        await writer.SetAsync("Service:Labels:team", "t");
        await writer.DeleteAsync("Service:Hosts");
        await writer.SetAsync("Service:Hosts:0", "h0");
        await writer.SetAsync("Service:Hosts:1", "h1");
        if (untilTheSessionIsLost)
        {
            await lost.WaitAsync(ConfigTestKit.Patience);
        }

        Assert.Equal("before", app.Monitor.CurrentValue.Mode);
        proxy.Mode = FaultMode.Pass;

        var change = await reconnected.WaitAsync(ConfigTestKit.Patience);
        output.WriteLine($"Reconnected in {(change.IsNewSession ? "a new" : "the same")} session.");
        if (untilTheSessionIsLost)
        {
            Assert.True(change.IsNewSession);
        }

        var healed = await app.ChangedAsync(s => s.Mode == "during" && s.Limit == 10 && s.Hosts.Count == 2, "the partition's changes");
        Assert.Equal("t", healed.Labels["team"]);
        Assert.Equal(["h0", "h1"], healed.Hosts);

        // The same keys as a fresh reader of the server sees.
        var fresh = new ConfigurationBuilder().AddZooKeeper(_connection, root).Build();
        try
        {
            await ConfigTestKit.EventuallyAsync(() => Keys(app.Configuration).SequenceEqual(Keys(fresh)), "the healed configuration to equal a fresh read");
        }
        finally
        {
            await fresh.Providers.OfType<ZooKeeperConfigurationProvider>().Single().DisposeAsync();
        }

        // And it keeps following changes afterwards.
        await writer.SetAsync("Service:Mode", "after");
        await app.ChangedAsync(s => s.Mode == "after", "a change after healing");
    }

    private static List<string> Keys(IConfiguration configuration) =>
        configuration.AsEnumerable().Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal).ToList();
}
