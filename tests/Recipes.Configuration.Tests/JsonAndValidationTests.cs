using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Recipes.Core;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Configuration.Tests;

/// <summary>JSON-document mode, malformed documents, and validation that keeps the last good value.</summary>
[Collection(ConfigurationCollection.Name)]
public sealed class JsonAndValidationTests(ZooKeeperServerFixture zk, ITestOutputHelper output) : IAsyncLifetime
{
    private ZooKeeperConnection _connection = null!;

    public async Task InitializeAsync() => _connection = await ConfigTestKit.ConnectAsync(zk.ConnectionString, output, "app");

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Json_documents_are_flattened_like_the_json_provider_and_reload()
    {
        var root = zk.NewRoot(nameof(Json_documents_are_flattened_like_the_json_provider_and_reload));
        await ConfigTestKit.PutAsync(_connection, root, """{ "Logging": { "LogLevel": { "Default": "Warning" } } }""");
        await ConfigTestKit.PutAsync(_connection, root + "/Service", """{ "Mode": "json", "Limit": 12, "Hosts": ["h1", "h2"], "Labels": { "team": "core" } }""");
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root, o => o.Mode = ZooKeeperConfigurationMode.JsonDocuments));

        Assert.Equal("Warning", app.Configuration["Logging:LogLevel:Default"]);
        Assert.Equal("h2", app.Configuration["Service:Hosts:1"]);
        var settings = app.Monitor.CurrentValue;
        Assert.Equal(("json", 12), (settings.Mode, settings.Limit));
        Assert.Equal(["h1", "h2"], settings.Hosts);
        Assert.Equal("core", settings.Labels["team"]);

        await ConfigTestKit.PutAsync(_connection, root + "/Service", """{ "Mode": "json2", "Hosts": ["h3"] }""");

        var changed = await app.ChangedAsync(s => s.Mode == "json2", "Mode = json2");
        Assert.Equal(["h3"], changed.Hosts);
        Assert.Equal(10, changed.Limit);
    }

    [Fact]
    public async Task A_malformed_document_keeps_its_last_good_content_and_names_the_znode()
    {
        var root = zk.NewRoot(nameof(A_malformed_document_keeps_its_last_good_content_and_names_the_znode));
        var service = root + "/Service";
        await ConfigTestKit.PutAsync(_connection, service, """{ "Mode": "good", "Limit": 20 }""");
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root, o => o.Mode = ZooKeeperConfigurationMode.JsonDocuments));
        var rejected = new TaskCompletionSource<ZooKeeperConfigurationErrorEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Provider.UpdateRejected += (_, e) => rejected.TrySetResult(e);

        await ConfigTestKit.PutAsync(_connection, service, """{ "Mode": "broken", "Limit": """);

        var error = await rejected.Task.WaitAsync(ConfigTestKit.Patience);
        Assert.Equal(ZooKeeperConfigurationErrorKind.MalformedDocument, error.Kind);
        Assert.Equal(service, error.Source);
        Assert.Equal(("good", 20), (app.Monitor.CurrentValue.Mode, app.Monitor.CurrentValue.Limit));
        Assert.Single(app.Provider.CurrentErrors);
        var health = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains(service, health.Entries["zookeeper-configuration"].Description, StringComparison.Ordinal);

        // Another document changes meanwhile: it is taken, the broken one still holds its last good content.
        await ConfigTestKit.PutAsync(_connection, root + "/Other", """{ "Key": "v" }""");
        await ConfigTestKit.EventuallyAsync(() => app.Configuration["Other:Key"] == "v", "the other document to load");
        Assert.Equal("good", app.Configuration["Service:Mode"]);

        await ConfigTestKit.PutAsync(_connection, service, """{ "Mode": "fixed", "Limit": 21 }""");

        var changed = await app.ChangedAsync(s => s.Mode == "fixed", "Mode = fixed");
        Assert.Equal(21, changed.Limit);
        Assert.Empty(app.Provider.CurrentErrors);
        Assert.Equal(HealthStatus.Healthy, (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task A_malformed_document_at_start_contributes_nothing_and_is_reported()
    {
        var root = zk.NewRoot(nameof(A_malformed_document_at_start_contributes_nothing_and_is_reported));
        await ConfigTestKit.PutAsync(_connection, root + "/Service", "not json");
        await ConfigTestKit.PutAsync(_connection, root + "/Other", """{ "Key": "v" }""");
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root, o => o.Mode = ZooKeeperConfigurationMode.JsonDocuments));

        Assert.Equal("default", app.Monitor.CurrentValue.Mode);
        Assert.Equal("v", app.Configuration["Other:Key"]);
        var error = Assert.Single(app.Provider.CurrentErrors);
        Assert.Equal(root + "/Service", error.Source);
    }

    [Fact]
    public async Task An_invalid_update_is_rejected_and_the_last_good_value_stays()
    {
        var root = zk.NewRoot(nameof(An_invalid_update_is_rejected_and_the_last_good_value_stays));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Limit"] = "50", ["Service:Mode"] = "a", ["Other"] = "1" });
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root, o => o
            .ValidateDataAnnotations<ServiceSettings>("Service")
            .Validate<ServiceSettings>("Service", s => s.Mode != "forbidden", "Mode must not be 'forbidden'.")));
        var rejected = new TaskCompletionSource<ZooKeeperConfigurationErrorEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Provider.UpdateRejected += (_, e) => rejected.TrySetResult(e);

        // One multi: an out-of-range Limit and a new Mode in the same section, and a change outside it.
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Limit"] = "500", ["Service:Mode"] = "b", ["Other"] = "2" });

        var error = await rejected.Task.WaitAsync(ConfigTestKit.Patience);
        Assert.Equal(ZooKeeperConfigurationErrorKind.ValidationFailed, error.Kind);
        Assert.Equal("Service", error.Source);
        Assert.Contains("Limit", error.Message, StringComparison.Ordinal);
        await ConfigTestKit.EventuallyAsync(() => app.Configuration["Other"] == "2", "the valid change outside the section");
        var current = app.Monitor.CurrentValue; // never throws: the invalid value never reaches the options
        Assert.Equal((50, "a"), (current.Limit, current.Mode));
        var health = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);

        await writer.SetAsync("Service:Mode", "forbidden");
        await ConfigTestKit.EventuallyAsync(
            () => app.Provider.CurrentErrors.Any(e => e.Message.Contains("forbidden", StringComparison.Ordinal)), "the delegate validation to fail too");
        Assert.Equal("a", app.Monitor.CurrentValue.Mode);

        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Limit"] = "60", ["Service:Mode"] = "c" });

        var changed = await app.ChangedAsync(s => s.Limit == 60, "the valid update");
        Assert.Equal("c", changed.Mode);
        Assert.Empty(app.Provider.CurrentErrors);
        Assert.Equal(HealthStatus.Healthy, (await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task A_value_the_binder_cannot_convert_is_rejected_too()
    {
        var root = zk.NewRoot(nameof(A_value_the_binder_cannot_convert_is_rejected_too));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetAsync("Service:Limit", "30");
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root, o => o.ValidateDataAnnotations<ServiceSettings>("Service")));

        await writer.SetAsync("Service:Limit", "thirty");

        await ConfigTestKit.EventuallyAsync(() => app.Provider.CurrentErrors.Count == 1, "the conversion failure to be reported");
        Assert.Equal("30", app.Configuration["Service:Limit"]);
        Assert.Equal(30, app.Monitor.CurrentValue.Limit);
    }

    [Fact]
    public async Task An_invalid_configuration_at_start_fails_with_a_clear_error()
    {
        var root = zk.NewRoot(nameof(An_invalid_configuration_at_start_fails_with_a_clear_error));
        await new ZooKeeperConfigurationWriter(_connection, root).SetAsync("Service:Limit", "0");

        var error = Assert.Throws<InvalidOperationException>(
            () => new ConfigurationBuilder().AddZooKeeper(_connection, root, o => o.ValidateDataAnnotations<ServiceSettings>("Service")).Build());

        Assert.Contains("'Service'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Limit", error.Message, StringComparison.Ordinal);
    }
}
