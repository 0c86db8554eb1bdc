using Recipes.Testing;
using Recipes.Testing.Xunit;

namespace Recipes.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class ElectCommandTests(ZooKeeperServerFixture zk) : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task Elect_stops_its_child_on_session_loss_and_runs_it_again_on_reelection()
    {
        var path = zk.NewRoot(nameof(Elect_stops_its_child_on_session_loss_and_runs_it_again_on_reelection)) + "/leader";
        var marks = _scratch.File("marks");
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var elector = CliProcess.Start(["elect", path, "--json", "--session-timeout", "4s", "--connect", proxy.ConnectionString, "--", .. Scratch.LongRunningChild(marks)]);
        var firstTerm = await elector.WaitForLineAsync(IsEvent("elected"), "elected");
        await Scratch.WaitForLineAsync(marks, "started");

        // Partition the elector until its session is gone: leadership ends (the child is stopped) before that.
        proxy.Mode = FaultMode.Blackhole;
        await Scratch.WaitForLineAsync(marks, "stopped");
        await elector.WaitForLineAsync(IsEvent("lost"), "leadership lost");
        await elector.WaitForLineAsync(l => IsEvent("connection")(l) && l.Contains("\"state\":\"Lost\"", StringComparison.Ordinal), "the session lost");
        proxy.Heal();

        // Back with a new session, it is elected again and runs the child again.
        var secondTerm = await elector.WaitForLineAsync(l => IsEvent("elected")(l) && l != firstTerm, "elected again");
        Assert.NotEqual(SessionOf(firstTerm), SessionOf(secondTerm));
        await WaitForCountAsync(marks, "started", 2);
        Assert.Equal(["started", "stopped", "started"], Scratch.ReadLines(marks));

        elector.Signal(2);
        Assert.Equal(130, await elector.WaitForExitAsync());
        Assert.Equal("stopped", Scratch.ReadLines(marks)[^1]);
    }

    [Fact]
    public async Task Only_the_leader_runs_its_child_and_Ctrl_C_hands_leadership_over()
    {
        var path = zk.NewRoot(nameof(Only_the_leader_runs_its_child_and_Ctrl_C_hands_leadership_over)) + "/leader";
        var first = _scratch.File("first");
        var second = _scratch.File("second");
        await using var a = CliProcess.Start(["elect", path, "--id", "first", "--connect", zk.ConnectionString, "--", .. Scratch.LongRunningChild(first)]);
        await Scratch.WaitForLineAsync(first, "started");
        await using var b = CliProcess.Start(["elect", path, "--id", "second", "--connect", zk.ConnectionString, "--", .. Scratch.LongRunningChild(second)]);
        await b.WaitForLineAsync(l => l.Contains("Waiting to lead", StringComparison.Ordinal), "second waiting");
        Assert.Empty(Scratch.ReadLines(second));

        a.Signal(2);
        Assert.Equal(130, await a.WaitForExitAsync());
        Assert.Equal(["started", "stopped"], Scratch.ReadLines(first));

        await Scratch.WaitForLineAsync(second, "started");
        b.Signal(15);
        Assert.Equal(143, await b.WaitForExitAsync());
        Assert.Equal(["started", "stopped"], Scratch.ReadLines(second));
    }

    [Fact]
    public async Task The_childs_exit_code_passes_through_and_the_fencing_term_is_exported()
    {
        var path = zk.NewRoot(nameof(The_childs_exit_code_passes_through_and_the_fencing_term_is_exported)) + "/leader";
        var term = _scratch.File("term");
        var result = await CliProcess.RunAsync("elect", path, "--fencing-env", "TERM_NUMBER", "--connect", zk.ConnectionString, "--",
            "sh", "-c", "echo \"$TERM_NUMBER\" > \"$1\"; exit 5", "sh", term);
        Assert.True(result.ExitCode == 5, result.Stderr);
        Assert.True(long.Parse(Scratch.ReadLines(term).Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    public void Dispose() => _scratch.Dispose();

    private static Func<string, bool> IsEvent(string name) => line => line.Contains($"\"event\":\"{name}\"", StringComparison.Ordinal);

    private static string SessionOf(string line)
    {
        using var document = System.Text.Json.JsonDocument.Parse(line);
        return document.RootElement.GetProperty("sessionId").GetString()!;
    }

    private static async Task WaitForCountAsync(string file, string line, int count)
    {
        var deadline = DateTime.UtcNow + CliProcess.Patience;
        while (Scratch.ReadLines(file).Count(l => l == line) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} '{line}' in [{string.Join(", ", Scratch.ReadLines(file))}]");
            await Task.Delay(50);
        }
    }
}
