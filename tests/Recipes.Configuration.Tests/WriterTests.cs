using System.Text;
using Microsoft.Extensions.Configuration;
using Recipes.Core;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Configuration.Tests;

/// <summary>The writing API against a real server: set, delete, atomic import, export.</summary>
[Collection(ConfigurationCollection.Name)]
public sealed class WriterTests(ZooKeeperServerFixture zk, ITestOutputHelper output) : IAsyncLifetime
{
    private ZooKeeperConnection _connection = null!;

    public async Task InitializeAsync() => _connection = await ConfigTestKit.ConnectAsync(zk.ConnectionString, output, "writer");

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Set_creates_the_znode_and_its_parents_and_overwrites()
    {
        var root = zk.NewRoot(nameof(Set_creates_the_znode_and_its_parents_and_overwrites)) + "/config/app";
        var writer = new ZooKeeperConfigurationWriter(_connection, root);

        await writer.SetAsync("Logging:LogLevel:Default", "Information");
        await writer.SetAsync("Logging:LogLevel:Default", "Warning");
        await writer.SetAsync("Empty", null);

        Assert.Equal("Warning", await ReadAsync(root + "/Logging/LogLevel/Default"));
        Assert.Equal("", await ReadAsync(root + "/Logging"));
        Assert.Equal("", await ReadAsync(root + "/Empty"));
        var stat = await _connection.ExecuteAsync((c, ct) => c.ExistsAsync(root + "/Logging", null, ct));
        Assert.Equal(0, stat!.EphemeralOwner); // persistent, not a container the server would reap
    }

    [Fact]
    public async Task Bad_keys_are_rejected_before_anything_is_written()
    {
        var root = zk.NewRoot(nameof(Bad_keys_are_rejected_before_anything_is_written));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);

        foreach (var key in new[] { "", "a::b", ":a", "a/b", "a:..", "a:\u0001" })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => writer.SetAsync(key, "x"));
            Assert.Contains("key", error.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<ArgumentException>(() => writer.SetManyAsync([new("A", "1"), new("A", "2")]));
        Assert.Null(await _connection.ExecuteAsync((c, ct) => c.ExistsAsync(root, null, ct)));
    }

    [Fact]
    public async Task Delete_removes_the_key_and_everything_below_it()
    {
        var root = zk.NewRoot(nameof(Delete_removes_the_key_and_everything_below_it));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["A:B:C"] = "1", ["A:B:D"] = "2", ["A:E"] = "3" });

        Assert.True(await writer.DeleteAsync("A:B"));

        Assert.Null(await _connection.ExecuteAsync((c, ct) => c.ExistsAsync(root + "/A/B", null, ct)));
        Assert.Equal("3", await ReadAsync(root + "/A/E"));
        Assert.False(await writer.DeleteAsync("A:B"));
    }

    [Fact]
    public async Task Import_is_one_atomic_change_that_a_provider_sees_whole()
    {
        var root = zk.NewRoot(nameof(Import_is_one_atomic_change_that_a_provider_sees_whole));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["Service:Mode"] = "old", ["Stale"] = "x" });
        await using var app = ConfiguredApp.Build(b => b.AddZooKeeper(_connection, root));

        var json = """
            {
              // comments and trailing commas are fine, as in appsettings.json
              "Service": { "Mode": "imported", "Limit": 77, "Hosts": ["x", "y"], },
              "Flag": true,
              "Nothing": null
            }
            """;
        var count = await writer.ImportJsonAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), replace: true);

        Assert.Equal(6, count);
        var changed = await app.ChangedAsync(s => s.Mode == "imported", "the import");
        Assert.Equal(77, changed.Limit);
        Assert.Equal(["x", "y"], changed.Hosts);
        Assert.Equal("True", app.Configuration["Flag"]);
        await ConfigTestKit.EventuallyAsync(() => app.Configuration["Stale"] is null, "the replaced key to disappear");

        // Export reads back what was imported (arrays come back as objects with index keys: configuration reads them the same).
        using var exported = new MemoryStream();
        await writer.ExportJsonAsync(exported);
        var reread = new ConfigurationBuilder().AddJsonStream(new MemoryStream(exported.ToArray())).Build();
        Assert.Equal("imported", reread["Service:Mode"]);
        Assert.Equal("77", reread["Service:Limit"]);
        Assert.Equal("y", reread["Service:Hosts:1"]);
        Assert.Equal("True", reread["Flag"]);
        Assert.Null(reread["Stale"]);
    }

    [Fact]
    public async Task A_failed_import_writes_nothing()
    {
        var root = zk.NewRoot(nameof(A_failed_import_writes_nothing));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetAsync("Keep", "me");

        await Assert.ThrowsAsync<FormatException>(() => writer.ImportJsonAsync(new MemoryStream("""{ "A": 1, "a": 2 }"""u8.ToArray())));
        await Assert.ThrowsAsync<FormatException>(() => writer.ImportJsonAsync(new MemoryStream("""{ "A": """u8.ToArray())));

        // A multi that fails on the server applies none of its operations: the node under an ephemeral cannot be created.
        await _connection.ExecuteAsync((c, ct) => c.CreateAsync(root + "/Eph", [], CreateMode.Ephemeral, cancellationToken: ct));
        await Assert.ThrowsAsync<MultiException>(() => writer.ImportJsonAsync(new MemoryStream("""{ "New": "1", "Keep": "changed", "Eph": { "Child": "x" } }"""u8.ToArray())));

        Assert.Equal("me", await ReadAsync(root + "/Keep"));
        Assert.Null(await _connection.ExecuteAsync((c, ct) => c.ExistsAsync(root + "/New", null, ct)));
    }

    [Fact]
    public async Task Export_refuses_a_znode_with_a_value_and_children()
    {
        var root = zk.NewRoot(nameof(Export_refuses_a_znode_with_a_value_and_children));
        var writer = new ZooKeeperConfigurationWriter(_connection, root);
        await writer.SetManyAsync(new Dictionary<string, string?> { ["A"] = "value", ["A:B"] = "child" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.ExportJsonAsync(new MemoryStream()));
        Assert.Contains(root + "/A", error.Message, StringComparison.Ordinal);
    }

    private async Task<string> ReadAsync(string path) =>
        Encoding.UTF8.GetString((await _connection.ExecuteAsync((c, ct) => c.GetDataAsync(path, null, ct))).Data ?? []);
}
