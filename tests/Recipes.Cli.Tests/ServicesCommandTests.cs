using System.Text.Json;
using Recipes.Testing.Xunit;

namespace Recipes.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class ServicesCommandTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task An_instance_registered_by_one_process_is_listed_and_shown_by_another_until_ctrl_c()
    {
        var basePath = zk.NewRoot(nameof(An_instance_registered_by_one_process_is_listed_and_shown_by_another_until_ctrl_c));
        await using var register = CliProcess.Start(["services", "register", "orders", "--id", "orders-1", "--address", "10.0.0.5", "--port", "8080", "--payload", "zone=eu", "--base-path", basePath, "--connect", zk.ConnectionString]);
        await register.WaitForLineAsync(l => l.StartsWith("registered orders/orders-1", StringComparison.Ordinal), "registered");

        var list = await Services("list", "--base-path", basePath);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("orders  1 instance", list.Stdout, StringComparison.Ordinal);

        var show = await Services("show", "orders", "--base-path", basePath, "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        using (var document = JsonDocument.Parse(show.Stdout))
        {
            var instance = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal("orders-1", instance.GetProperty("id").GetString());
            Assert.Equal("10.0.0.5", instance.GetProperty("address").GetString());
            Assert.Equal(8080, instance.GetProperty("port").GetInt32());
            Assert.Equal("DYNAMIC", instance.GetProperty("serviceType").GetString());
            Assert.Equal("eu", instance.GetProperty("payload").GetProperty("zone").GetString());
        }

        var human = await Services("show", "orders", "--base-path", basePath);
        Assert.Contains("orders/orders-1  10.0.0.5:8080  DYNAMIC", human.Stdout, StringComparison.Ordinal);

        register.Signal(2);
        Assert.Equal(130, await register.WaitForExitAsync());

        // Ctrl-C closed the registering session: the instance is gone at once.
        var after = await Services("show", "orders", "--base-path", basePath);
        Assert.True(after.ExitCode == 3, after.Stdout + after.Stderr);
    }

    [Fact]
    public async Task Watch_prints_instances_coming_and_going_until_ctrl_c()
    {
        var basePath = zk.NewRoot(nameof(Watch_prints_instances_coming_and_going_until_ctrl_c));
        await using var watch = CliProcess.Start(["services", "watch", "billing", "--base-path", basePath, "--connect", zk.ConnectionString]);
        await watch.WaitForLineAsync(l => l.StartsWith("watching", StringComparison.Ordinal), "watching");

        await using (var register = CliProcess.Start(["services", "register", "billing", "--id", "b1", "--port", "9000", "--base-path", basePath, "--connect", zk.ConnectionString]))
        {
            await register.WaitForLineAsync(l => l.StartsWith("registered billing/b1", StringComparison.Ordinal), "registered");
            await watch.WaitForLineAsync(l => l.Contains("added   billing/b1", StringComparison.Ordinal), "the instance added");
            register.Signal(2);
            Assert.Equal(130, await register.WaitForExitAsync());
        }

        await watch.WaitForLineAsync(l => l.Contains("removed billing/b1", StringComparison.Ordinal), "the instance removed");
        watch.Signal(2);
        Assert.Equal(130, await watch.WaitForExitAsync());
    }

    [Fact]
    public async Task Show_of_a_service_without_instances_exits_3()
    {
        var basePath = zk.NewRoot(nameof(Show_of_a_service_without_instances_exits_3));
        var show = await Services("show", "nothing", "--base-path", basePath);
        Assert.Equal(3, show.ExitCode);
        Assert.Contains("No instances of 'nothing'", show.Stderr, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Services(params string[] arguments) =>
        CliProcess.RunAsync(["services", .. arguments, "--connect", zk.ConnectionString]);
}
