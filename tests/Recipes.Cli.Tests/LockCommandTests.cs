using System.Globalization;
using Recipes.Testing;
using Recipes.Testing.Xunit;

namespace Recipes.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class LockCommandTests(ZooKeeperServerFixture zk) : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task Lock_excludes_other_holders_passes_exit_codes_and_exports_increasing_fencing_tokens()
    {
        var path = zk.NewRoot(nameof(Lock_excludes_other_holders_passes_exit_codes_and_exports_increasing_fencing_tokens)) + "/lock";
        var log = _scratch.File("log");
        const string script = "echo \"start $1 $TOKEN\" >> \"$2\"; sleep 0.4; echo \"end $1\" >> \"$2\"; exit $3";
        var holders = Enumerable.Range(1, 3)
            .Select(i => CliProcess.Start(["lock", path, "--fencing-env", "TOKEN", "--connect", zk.ConnectionString, "--", "sh", "-c", script, "sh", $"w{i}", log, (40 + i).ToString(CultureInfo.InvariantCulture)]))
            .ToList();
        try
        {
            for (var i = 0; i < holders.Count; i++)
            {
                Assert.True(await holders[i].WaitForExitAsync() == 41 + i, holders[i].AllOutput);
            }
        }
        finally
        {
            foreach (var holder in holders)
            {
                await holder.DisposeAsync();
            }
        }

        // Appends are ordered in time: each holder's start is directly followed by its own end, never another's start.
        var lines = Scratch.ReadLines(log);
        Assert.Equal(6, lines.Length);
        var tokens = new List<long>();
        for (var i = 0; i < lines.Length; i += 2)
        {
            var start = lines[i].Split(' ');
            Assert.Equal("start", start[0]);
            Assert.Equal($"end {start[1]}", lines[i + 1]);
            tokens.Add(long.Parse(start[2], CultureInfo.InvariantCulture));
        }

        Assert.Equal(3, lines.Where(l => l.StartsWith("start", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).Distinct().Count());
        Assert.True(tokens[0] < tokens[1] && tokens[1] < tokens[2], string.Join(", ", tokens));
    }

    [Fact]
    public async Task A_held_lock_times_out_others_with_4_and_Ctrl_C_stops_the_child_and_releases_it()
    {
        var path = zk.NewRoot(nameof(A_held_lock_times_out_others_with_4_and_Ctrl_C_stops_the_child_and_releases_it)) + "/lock";
        var marks = _scratch.File("marks");
        await using var holder = CliProcess.Start(["lock", path, "--connect", zk.ConnectionString, "--", .. Scratch.LongRunningChild(marks)]);
        await Scratch.WaitForLineAsync(marks, "started");

        var waiter = await CliProcess.RunAsync("lock", path, "--timeout", "1s", "--connect", zk.ConnectionString, "--", "true");
        Assert.Equal(4, waiter.ExitCode);
        Assert.Contains("Timed out", waiter.Stderr, StringComparison.Ordinal);

        holder.Signal(2);
        Assert.Equal(130, await holder.WaitForExitAsync());
        Assert.Contains("stopped", Scratch.ReadLines(marks));

        var next = await CliProcess.RunAsync("lock", path, "--timeout", "60s", "--connect", zk.ConnectionString, "--", "true");
        Assert.True(next.ExitCode == 0, next.Stderr);
    }

    [Fact]
    public async Task A_command_that_cannot_start_exits_127_and_leaves_the_lock_free()
    {
        var path = zk.NewRoot(nameof(A_command_that_cannot_start_exits_127_and_leaves_the_lock_free)) + "/lock";
        var missing = await CliProcess.RunAsync("lock", path, "--connect", zk.ConnectionString, "--", "/no/such/command");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("/no/such/command", missing.Stderr, StringComparison.Ordinal);

        var next = await CliProcess.RunAsync("lock", path, "--timeout", "0", "--connect", zk.ConnectionString, "--", "true");
        Assert.True(next.ExitCode == 0, next.Stderr);
    }

    [Fact]
    public async Task Losing_the_lock_stops_the_child_and_exits_7()
    {
        var path = zk.NewRoot(nameof(Losing_the_lock_stops_the_child_and_exits_7)) + "/lock";
        var marks = _scratch.File("marks");
        await using var proxy = FaultProxy.Start("127.0.0.1", zk.Server.Port);
        await using var holder = CliProcess.Start(["lock", path, "--json", "--session-timeout", "4s", "--connect", proxy.ConnectionString, "--", .. Scratch.LongRunningChild(marks)]);
        await Scratch.WaitForLineAsync(marks, "started");

        // Cut the holder off: its lock must end (at the grace, before the server can expire the session) and the child stop.
        proxy.Mode = FaultMode.Blackhole;
        Assert.Equal(7, await holder.WaitForExitAsync());
        Assert.Contains("stopped", Scratch.ReadLines(marks));
        Assert.Contains(holder.Stderr.Split('\n'), l => l.Contains("\"event\":\"lost\"", StringComparison.Ordinal));

        // The server expires the cut-off session and deletes its node: the lock is free again.
        var next = await CliProcess.RunAsync("lock", path, "--timeout", "60s", "--connect", zk.ConnectionString, "--", "true");
        Assert.True(next.ExitCode == 0, next.Stderr);
    }

    public void Dispose() => _scratch.Dispose();
}
