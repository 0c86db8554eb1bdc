using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Recipes.Cli.Tests;

/// <summary>The commands that start their own ZooKeeper: the demo and <c>server start</c>.</summary>
public sealed partial class DemoAndServerTests
{
    [Fact]
    public async Task The_demo_runs_to_completion_with_every_check_held()
    {
        await using var demo = CliProcess.Start(["demo"]);
        var code = await demo.WaitForExitAsync(TimeSpan.FromMinutes(6));
        Assert.True(code == 0, demo.AllOutput);
        Assert.Contains("RESULT: OK", demo.Stdout, StringComparison.Ordinal);
        Assert.Contains("KILL", demo.Stdout, StringComparison.Ordinal);
        Assert.True(demo.Count(l => l.Contains("LEADER ", StringComparison.Ordinal)) >= 2, demo.Stdout);

        // Hot-reloaded configuration: every worker (3 by default) saw the mid-run change through IOptionsMonitor.OnChange.
        Assert.True(demo.Count(l => l.Contains("observed Demo:BatchSize = 25 live (IOptionsMonitor.OnChange", StringComparison.Ordinal)) == 3, demo.Stdout);
        Assert.Contains("observed live (OnChange) and held at the end by 3/3 workers", demo.Stdout, StringComparison.Ordinal);

        // Discovery: the killed worker's instance disappeared, came back once, and the final list holds each worker once.
        var victim = KilledWorker().Match(demo.Stdout).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(victim), demo.Stdout);
        Assert.Contains($"SERVICE {victim} disappeared from demo-workers", demo.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, demo.Count(l => l.Contains($"SERVICE {victim} registered in demo-workers", StringComparison.Ordinal)));
        Assert.Contains($"killed and re-registered: {victim}; final list: worker-1, worker-2, worker-3 (each once)", demo.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_start_serves_on_the_given_port_until_interrupted()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        await using var server = CliProcess.Start(["server", "start", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var serving = await server.WaitForLineAsync(l => l.StartsWith("ZooKeeper is serving at", StringComparison.Ordinal), "serving", TimeSpan.FromMinutes(3));
        var connect = ServingAt().Match(serving).Groups[1].Value;
        Assert.Equal($"127.0.0.1:{port}", connect);

        var tree = await CliProcess.RunAsync("tree", "/", "--connect", connect);
        Assert.True(tree.ExitCode == 0, tree.Stderr);
        Assert.Contains("zookeeper", tree.Stdout, StringComparison.Ordinal);

        server.Signal(2);
        Assert.Equal(130, await server.WaitForExitAsync());
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(System.Net.IPAddress.Loopback, port));
    }

    [GeneratedRegex(@"KILL    closing (worker-\d+)'s session")]
    private static partial Regex KilledWorker();

    [GeneratedRegex(@"serving at (\S+)")]
    private static partial Regex ServingAt();
}
