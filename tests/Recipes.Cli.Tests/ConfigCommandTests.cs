using System.Text.Json;
using Recipes.Testing.Xunit;

namespace Recipes.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class ConfigCommandTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task Set_then_get_reads_the_value_back_and_a_missing_key_exits_3()
    {
        var root = zk.NewRoot(nameof(Set_then_get_reads_the_value_back_and_a_missing_key_exits_3));
        var set = await Config("set", "Service:Mode", "fast", "--root", root);
        Assert.True(set.ExitCode == 0, set.Stderr);

        var get = await Config("get", "Service:Mode", "--root", root);
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Equal("fast", get.Stdout.Trim());

        var json = await Config("get", "service:mode", "--root", root, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("fast", document.RootElement.GetProperty("value").GetString());
        }

        Assert.Equal(3, (await Config("get", "Service:Missing", "--root", root)).ExitCode);

        var delete = await Config("delete", "Service", "--root", root);
        Assert.True(delete.ExitCode == 0, delete.Stderr);
        Assert.Equal(3, (await Config("get", "Service:Mode", "--root", root)).ExitCode);
        Assert.Equal(3, (await Config("delete", "Service", "--root", root)).ExitCode);
    }

    [Fact]
    public async Task Import_then_export_round_trips_a_json_file()
    {
        var root = zk.NewRoot(nameof(Import_then_export_round_trips_a_json_file));
        var file = Path.Combine(Path.GetTempPath(), $"recipes-cli-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {
              // comments are allowed, as in appsettings.json
              "Logging": { "LogLevel": { "Default": "Warning" } },
              "Service": { "Hosts": [ "a", "b" ], "Port": "8080" },
            }
            """);
        try
        {
            var import = await Config("import", file, "--root", root);
            Assert.True(import.ExitCode == 0, import.Stderr);

            var export = await Config("export", "--root", root);
            Assert.True(export.ExitCode == 0, export.Stderr);
            using var document = JsonDocument.Parse(export.Stdout);
            var service = document.RootElement.GetProperty("Service");
            Assert.Equal("Warning", document.RootElement.GetProperty("Logging").GetProperty("LogLevel").GetProperty("Default").GetString());
            Assert.Equal("8080", service.GetProperty("Port").GetString());
            Assert.Equal("b", service.GetProperty("Hosts").GetProperty("1").GetString());

            // What was exported imports into another root and reads the same through configuration.
            await File.WriteAllTextAsync(file, export.Stdout);
            var copy = root + "-copy";
            Assert.Equal(0, (await Config("import", file, "--root", copy)).ExitCode);
            var get = await Config("get", "Service:Hosts:0", "--root", copy);
            Assert.True(get.ExitCode == 0, get.Stderr);
            Assert.Equal("a", get.Stdout.Trim());

            await File.WriteAllTextAsync(file, "{ not json");
            var bad = await Config("import", file, "--root", root);
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("not a configuration JSON document", bad.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Watch_prints_changes_until_interrupted()
    {
        var root = zk.NewRoot(nameof(Watch_prints_changes_until_interrupted));
        Assert.Equal(0, (await Config("set", "Feature:Enabled", "false", "--root", root)).ExitCode);

        await using var watch = CliProcess.Start(["config", "watch", "--root", root, "--connect", zk.ConnectionString]);
        await watch.WaitForLineAsync(l => l.StartsWith("watching", StringComparison.Ordinal), "watching");
        Assert.Equal(0, (await Config("set", "Feature:Enabled", "true", "--root", root)).ExitCode);
        await watch.WaitForLineAsync(l => l.Contains("changed Feature:Enabled = true", StringComparison.Ordinal), "the change");
        Assert.Equal(0, (await Config("set", "Feature:Limit", "5", "--root", root)).ExitCode);
        await watch.WaitForLineAsync(l => l.Contains("added   Feature:Limit = 5", StringComparison.Ordinal), "the new key");

        watch.Signal(2);
        Assert.Equal(130, await watch.WaitForExitAsync());
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Config(params string[] arguments) =>
        CliProcess.RunAsync(["config", .. arguments, "--connect", zk.ConnectionString]);
}
