using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Recipes.Core;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Configuration.Tests;

/// <summary>The provider against a real server: tree mapping, binding at start, hot reload, deletes, prefix and filter.</summary>
[Collection(ConfigurationCollection.Name)]
public sealed class ProviderTests(ZooKeeperServerFixture zk, ITestOutputHelper output) : IAsyncLifetime
{
    private ZooKeeperConnection _connection = null!;

    public async Task InitializeAsync() => _connection = await ConfigTestKit.ConnectAsync(zk.ConnectionString, output, "app");

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Options_are_bound_from_the_znode_tree_at_startup()
    {
        var root = zk.NewRoot(nameof(Options_are_bound_from_the_znode_tree_at_startup)) + "/config/myapp";
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?>
        {
            ["Service:Mode"] = "fast",
            ["Service:Limit"] = "42",
            ["Service:Hosts:0"] = "a.example",
            ["Service:Hosts:1"] = "b.example",
            ["Logging:LogLevel:Default"] = "Information",
        });

        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root));

        Assert.Equal("Information", app.Configuration["Logging:LogLevel:Default"]);
        var settings = app.Monitor.CurrentValue;
        Assert.Equal("fast", settings.Mode);
        Assert.Equal(42, settings.Limit);
        Assert.Equal(["a.example", "b.example"], settings.Hosts);
        Assert.True(app.Provider.IsLoadedFromZooKeeper);
        Assert.Empty(app.Provider.CurrentErrors);
    }

    [Fact]
    public async Task A_host_builders_configuration_reloads_options_from_ZooKeeper()
    {
        var root = zk.NewRoot(nameof(A_host_builders_configuration_reloads_options_from_ZooKeeper));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetAsync("Service:Mode", "hosted");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddZooKeeper(ConfigTestKit.ConnectionOptions(zk.ConnectionString, output, "host"), root);
        builder.Services.AddOptions<ServiceSettings>().Bind(builder.Configuration.GetSection("Service"));
        using var host = builder.Build();
        var monitor = host.Services.GetRequiredService<IOptionsMonitor<ServiceSettings>>();
        var changed = new TaskCompletionSource<ServiceSettings>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = monitor.OnChange(s =>
        {
            if (s.Mode == "hosted-2")
            {
                changed.TrySetResult(s);
            }
        });
        Assert.Equal("hosted", monitor.CurrentValue.Mode);

        await writer.SetAsync("Service:Mode", "hosted-2");

        Assert.Equal("hosted-2", (await changed.Task.WaitAsync(ConfigTestKit.Patience)).Mode);
        var provider = ((IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>()).Providers.OfType<ZooKeeperConfigurationProvider>().Single();
        host.Dispose();
        await ConfigTestKit.EventuallyAsync(() => provider.Connection.CurrentSession is null, "the host's disposal to close the owned connection");
    }

    [Fact]
    public async Task A_missing_root_is_an_empty_configuration_that_fills_in_when_created()
    {
        var root = zk.NewRoot(nameof(A_missing_root_is_an_empty_configuration_that_fills_in_when_created)) + "/app";
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root));
        Assert.Equal("default", app.Monitor.CurrentValue.Mode);

        await new ZooKeeperConfigurationWriter(_connection, root).SetAsync("Service:Mode", "created");

        var changed = await app.ChangedAsync(s => s.Mode == "created", "Mode = created");
        Assert.Equal("created", app.Monitor.CurrentValue.Mode);
        Assert.Equal(10, changed.Limit);
    }

    [Fact]
    public async Task Changing_a_znode_fires_OnChange_with_the_new_bound_value()
    {
        var root = zk.NewRoot(nameof(Changing_a_znode_fires_OnChange_with_the_new_bound_value));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetAsync("Service:Limit", "5");
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root));
        Assert.Equal(5, app.Monitor.CurrentValue.Limit);

        await ConfigTestKit.PutAsync(_connection, root + "/Service/Limit", "6");

        var changed = await app.ChangedAsync(s => s.Limit == 6, "Limit = 6");
        Assert.Equal(6, changed.Limit);
        Assert.Equal(6, app.Monitor.CurrentValue.Limit);
        Assert.Equal("6", app.Configuration["Service:Limit"]);
    }

    [Fact]
    public async Task Deleting_a_key_restores_the_default()
    {
        var root = zk.NewRoot(nameof(Deleting_a_key_restores_the_default));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Mode"] = "slow", ["Service:Limit"] = "7" });
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root));
        Assert.Equal("slow", app.Monitor.CurrentValue.Mode);

        Assert.True(await writer.DeleteAsync("Service:Mode"));

        var changed = await app.ChangedAsync(s => s.Mode == "default", "Mode back to its default");
        Assert.Equal(7, changed.Limit);
        Assert.Null(app.Configuration["Service:Mode"]);
        Assert.False(await writer.DeleteAsync("Service:Mode"));
    }

    [Fact]
    public async Task A_burst_of_changes_ends_with_the_last_value()
    {
        var root = zk.NewRoot(nameof(A_burst_of_changes_ends_with_the_last_value));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetAsync("Service:Limit", "1");
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root));
        var reloads = 0;
        using var counting = app.Monitor.OnChange((_, _) => Interlocked.Increment(ref reloads));

        // Writes without waiting: the provider may coalesce them, but must end on the last one.
        var writes = Enumerable.Range(2, 99).Select(i => ConfigTestKit.PutAsync(_connection, root + "/Service/Limit", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        await Task.WhenAll(writes);

        await app.ChangedAsync(s => s.Limit == 100, "Limit = 100 (the last write)");
        Assert.Equal(100, app.Monitor.CurrentValue.Limit);
        await ConfigTestKit.EventuallyAsync(() => Volatile.Read(ref reloads) >= 1, "the counting listener (called after the first one)");
        Assert.InRange(Volatile.Read(ref reloads), 1, 99);
    }

    [Fact]
    public async Task Empty_znodes_are_sections_or_empty_values()
    {
        var root = zk.NewRoot(nameof(Empty_znodes_are_sections_or_empty_values));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Mode"] = "", ["Service:Labels:team"] = "core" });
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root));

        Assert.Equal("", app.Configuration["Service:Mode"]);
        Assert.Null(app.Configuration["Service"]);
        Assert.Null(app.Configuration["Service:Labels"]);
        Assert.Equal("core", app.Monitor.CurrentValue.Labels["team"]);
    }

    [Fact]
    public async Task Key_prefix_and_filter_shape_the_keys()
    {
        var root = zk.NewRoot(nameof(Key_prefix_and_filter_shape_the_keys));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Mode"] = "prefixed", ["Secret"] = "hidden", ["Limit"] = "3" });
        await using var app = ConfiguredApp.Build(
            b => b.AddZooKeeper(_connection, root, o =>
            {
                o.KeyPrefix = "Service";
                o.KeyFilter = key => !key.EndsWith(":Secret", StringComparison.OrdinalIgnoreCase);
            }));

        Assert.Equal("prefixed", app.Monitor.CurrentValue.Mode);
        Assert.Equal(3, app.Monitor.CurrentValue.Limit);
        Assert.Null(app.Configuration["Service:Secret"]);
        Assert.Null(app.Configuration["Mode"]);

        // A change to a filtered key changes nothing visible, so it signals nothing; the next real change does.
        var reloads = 0;
        using var counting = app.Monitor.OnChange((_, _) => Interlocked.Increment(ref reloads));
        await writer.SetAsync("Secret", "still hidden");
        await writer.SetAsync("Limit", "4");
        await app.ChangedAsync(s => s.Limit == 4, "Limit = 4");
        await ConfigTestKit.EventuallyAsync(() => Volatile.Read(ref reloads) >= 1, "the counting listener (called after the first one)");
        Assert.Equal(1, Volatile.Read(ref reloads));
    }

    [Fact]
    public async Task A_connection_created_from_options_is_owned_and_disposed_with_the_configuration()
    {
        var root = zk.NewRoot(nameof(A_connection_created_from_options_is_owned_and_disposed_with_the_configuration));
        await new ZooKeeperConfigurationWriter(_connection, root).SetAsync("Service:Mode", "owned");
        var options = ConfigTestKit.ConnectionOptions(zk.ConnectionString, output, "owned");

        var app = ConfiguredApp.Build(b => b.AddZooKeeper(options, root));
        var provider = app.Provider;
        Assert.Equal("owned", app.Monitor.CurrentValue.Mode);
        Assert.True(provider.Connection.State.IsConnected());

        await app.DisposeAsync();
        await ConfigTestKit.EventuallyAsync(() => provider.Connection.CurrentSession is null, "the owned connection to close");
        Assert.Throws<ObjectDisposedException>(provider.Load);
    }
}
