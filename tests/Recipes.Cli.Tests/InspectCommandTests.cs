using System.Text;
using System.Text.Json;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class InspectCommandTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task Tree_get_and_stat_show_what_is_on_the_server()
    {
        var root = zk.NewRoot(nameof(Tree_get_and_stat_show_what_is_on_the_server));
        await using (var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString }))
        {
            await client.CreateAsync(root, null);
            await client.CreateAsync(root + "/config", Encoding.UTF8.GetBytes("color=blue"));
            await client.CreateAsync(root + "/config/db", Encoding.UTF8.GetBytes("postgres"));
            await client.SetDataAsync(root + "/config", Encoding.UTF8.GetBytes("color=green"));
            await client.CreateAsync(root + "/binary", [0xff, 0xfe, 0x00]);

            var tree = await CliProcess.RunAsync("tree", root, "--connect", zk.ConnectionString);
            Assert.True(tree.ExitCode == 0, tree.Stderr);
            Assert.Contains("config", tree.Stdout, StringComparison.Ordinal);
            Assert.Contains("└── db", tree.Stdout, StringComparison.Ordinal);

            var json = await CliProcess.RunAsync("tree", root, "--json", "--connect", zk.ConnectionString);
            Assert.True(json.ExitCode == 0, json.Stderr);
            using (var document = JsonDocument.Parse(json.Stdout))
            {
                var paths = document.RootElement.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("path").GetString()).ToList();
                Assert.Equal([root + "/binary", root + "/config"], paths);
            }

            var get = await CliProcess.RunAsync("get", root + "/config", "--connect", zk.ConnectionString);
            Assert.Equal(0, get.ExitCode);
            Assert.Equal("color=green", get.Stdout.Trim());

            var binary = await CliProcess.RunAsync("get", root + "/binary", "--json", "--connect", zk.ConnectionString);
            Assert.Equal(0, binary.ExitCode);
            using (var document = JsonDocument.Parse(binary.Stdout))
            {
                Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("data").ValueKind);
                Assert.Equal(Convert.ToBase64String([0xff, 0xfe, 0x00]), document.RootElement.GetProperty("dataBase64").GetString());
            }

            var stat = await CliProcess.RunAsync("stat", root + "/config", "--json", "--connect", zk.ConnectionString);
            Assert.Equal(0, stat.ExitCode);
            using (var document = JsonDocument.Parse(stat.Stdout))
            {
                Assert.Equal(1, document.RootElement.GetProperty("version").GetInt32());
                Assert.Equal(1, document.RootElement.GetProperty("numChildren").GetInt32());
                Assert.Equal(11, document.RootElement.GetProperty("dataLength").GetInt32());
            }

            var human = await CliProcess.RunAsync("stat", root + "/config", "--connect", zk.ConnectionString);
            Assert.Equal(0, human.ExitCode);
            Assert.Contains(human.Stdout.Split('\n'), l => l.StartsWith("version", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 1", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_missing_node_exits_3_and_names_it()
    {
        var missing = zk.NewRoot(nameof(A_missing_node_exits_3_and_names_it)) + "/nothing";
        foreach (var command in new[] { "get", "stat", "tree" })
        {
            var result = await CliProcess.RunAsync(command, missing, "--connect", zk.ConnectionString);
            Assert.True(result.ExitCode == 3, $"{command}: {result.ExitCode} {result.Stderr}");
            Assert.Contains(missing, result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Usage_errors_exit_1_and_unreachable_servers_exit_2()
    {
        var noServer = await CliProcess.RunAsync("tree", "/");
        Assert.Equal(1, noServer.ExitCode);
        Assert.Contains("ZOOKEEPER_CONNECT", noServer.Stderr, StringComparison.Ordinal);

        var badPath = await CliProcess.RunAsync("get", "no-slash", "--connect", zk.ConnectionString);
        Assert.Equal(1, badPath.ExitCode);
        Assert.Contains("no-slash", badPath.Stderr, StringComparison.Ordinal);

        var unknownOption = await CliProcess.RunAsync("get", "/", "--no-such-option");
        Assert.Equal(1, unknownOption.ExitCode);

        var badAuth = await CliProcess.RunAsync("get", "/", "--connect", zk.ConnectionString, "--auth", "secret-without-colon");
        Assert.Equal(1, badAuth.ExitCode);
        Assert.DoesNotContain("secret-without-colon", badAuth.Stderr + badAuth.Stdout, StringComparison.Ordinal);

        // A port nothing listens on (the OS picked it free a moment ago).
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var unreachable = await CliProcess.RunAsync("get", "/", "--connect", $"127.0.0.1:{port}", "--connect-timeout", "3s");
        Assert.Equal(2, unreachable.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", unreachable.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_prints_changes_until_interrupted()
    {
        var root = zk.NewRoot(nameof(Watch_prints_changes_until_interrupted));
        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString });
        await client.CreateAsync(root, null);
        await using var watch = CliProcess.Start(["watch", root, "--json", "--connect", zk.ConnectionString]);
        await watch.WaitForLineAsync(l => l.Contains("\"watching\"", StringComparison.Ordinal), "the watch started");

        await client.CreateAsync(root + "/a", Encoding.UTF8.GetBytes("one"));
        await watch.WaitForLineAsync(l => l.Contains("\"created\"", StringComparison.Ordinal) && l.Contains(root + "/a", StringComparison.Ordinal), "created /a");
        await client.SetDataAsync(root + "/a", Encoding.UTF8.GetBytes("two"));
        var changed = await watch.WaitForLineAsync(l => l.Contains("\"changed\"", StringComparison.Ordinal), "changed /a");
        using (var document = JsonDocument.Parse(changed))
        {
            Assert.Equal("two", document.RootElement.GetProperty("data").GetString());
        }

        await client.DeleteAsync(root + "/a");
        await watch.WaitForLineAsync(l => l.Contains("\"deleted\"", StringComparison.Ordinal), "deleted /a");

        watch.Signal(2);
        Assert.Equal(130, await watch.WaitForExitAsync());
    }
}
