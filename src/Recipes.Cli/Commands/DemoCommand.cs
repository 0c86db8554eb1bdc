using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Recipes.Testing;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Commands;

/// <summary>
/// The demo: an embedded ZooKeeper, a few sessions that watch and create nodes, a session killed on the server,
/// and a summary. Exits 0 when everything it shows behaved as ZooKeeper promises.
/// </summary>
internal static class DemoCommand
{
    public static System.CommandLine.Command Create(Recipes.Cli.Infrastructure.CliHost host)
    {
        var command = new System.CommandLine.Command("demo", "Start an embedded local ZooKeeper and show sessions, watches and ephemeral nodes.");
        host.SetAction(command, context => RunAsync(context.Output.Verbose, Console.Out, context.Cancellation));
        return command;
    }

    private static async Task<int> RunAsync(bool verbose, TextWriter output, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning));
        var clock = Stopwatch.StartNew();
        void Say(string text) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.00}s] {text}");

        Say("Starting an embedded Apache ZooKeeper on 127.0.0.1 (a free port)...");
        await using var server = await ZooKeeperTestServer.StartAsync(cancellationToken: cancellationToken);
        Say($"ZooKeeper is up at {server.ConnectionString}.");

        var options = new ZooKeeperClientOptions
        {
            ConnectionString = server.ConnectionString,
            SessionTimeout = TimeSpan.FromSeconds(4),
            LoggerFactory = loggerFactory,
        };
        await using var observer = await ZooKeeperClient.ConnectAsync(options, cancellationToken);
        await using var worker = await ZooKeeperClient.ConnectAsync(options, cancellationToken);
        Say($"Two sessions: observer 0x{observer.SessionId:x}, worker 0x{worker.SessionId:x} (negotiated time-out {worker.NegotiatedSessionTimeout.TotalSeconds:0.#} s).");

        var root = "/demo-" + Guid.NewGuid().ToString("N")[..8];
        await observer.CreateAsync(root, Encoding.UTF8.GetBytes("config v1"), cancellationToken: cancellationToken);
        Say($"Created {root} holding 'config v1'.");

        var events = new List<string>();
        var dataChanged = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await observer.GetDataAsync(root, Watcher.Create(e => dataChanged.TrySetResult(e)), cancellationToken);
        await worker.SetDataAsync(root, Encoding.UTF8.GetBytes("config v2"), cancellationToken: cancellationToken);
        var changed = await dataChanged.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        var now = await observer.GetDataAsync(root, cancellationToken: cancellationToken);
        events.Add($"watch fired: {changed}");
        Say($"Observer's watch fired ({changed.Type}); it now reads '{Encoding.UTF8.GetString(now.Data ?? [])}'.");

        var member = await worker.CreateAsync(root + "/member-", Encoding.UTF8.GetBytes("worker"), CreateMode.EphemeralSequential, cancellationToken: cancellationToken);
        Say($"Worker registered the ephemeral sequential node {member.Path} (owner 0x{member.Stat.EphemeralOwner:x}).");

        var membersChanged = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var children = await observer.GetChildrenAsync(root, Watcher.Create(e => membersChanged.TrySetResult(e)), cancellationToken);
        Say($"Observer sees members: {string.Join(", ", children.Children)}.");

        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        worker.StateChanged += (_, change) =>
        {
            if (change.NewState == ZooKeeperState.Expired)
            {
                expired.TrySetResult();
            }
        };

        Say("Killing the worker's session on the server (as a network partition or a long GC pause would)...");
        await ZooKeeperSessionKiller.KillAsync(server.ConnectionString, worker, cancellationToken);
        var removed = await membersChanged.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        var after = await observer.GetChildrenAsync(root, cancellationToken: cancellationToken);
        events.Add($"membership watch fired: {removed}");
        Say($"Observer's child watch fired ({removed.Type}); members now: [{string.Join(", ", after.Children)}].");

        await expired.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        Say($"Worker learned its session expired: state {worker.State}; its calls now fail with SessionExpiredException.");

        var ok = after.Children.Count == 0 && worker.State == ZooKeeperState.Expired && Encoding.UTF8.GetString(now.Data ?? []) == "config v2";
        await observer.DeleteAsync(root, cancellationToken: cancellationToken);
        Say(ok
            ? "Summary: watches fired once each, the ephemeral node died with its session, and the other session kept working."
            : "Summary: something did not behave as expected (see above).");
        return ok ? 0 : 1;
    }
}
