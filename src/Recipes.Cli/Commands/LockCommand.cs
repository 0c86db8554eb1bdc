using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Cli.Infrastructure;
using Recipes.Locks;

namespace Recipes.Cli.Commands;

/// <summary>
/// <c>recipes lock &lt;path&gt; -- command</c>: <c>flock</c> across machines. Runs the command while holding a
/// <see cref="ZooKeeperMutex"/> (Curator-compatible), stops it if the lock's <c>LostToken</c> fires, and passes its
/// exit code through.
/// </summary>
internal static class LockCommand
{
    public static Command Create(CliHost host)
    {
        var path = new Argument<string>("path") { Description = "The lock's znode, e.g. /locks/nightly-backup (Curator InterProcessMutex layout)." };
        var timeout = new Option<TimeSpan?>("--timeout", "-t")
        {
            Description = "Give up (exit 4) if the lock is not granted within this time, e.g. 30s; 0 tries once. Default: wait until granted.",
            CustomParser = Durations.Parse,
        };
        var child = new ChildOptions();
        var command = new Command("lock", "Run a command while holding a distributed lock (like flock, across machines). The exit code is the command's; 4 on timeout; 7 if the lock was lost and the command stopped.")
        {
            path, timeout,
        };
        child.AddTo(command);
        host.SetAction(command, async context =>
        {
            var lockPath = NodeFormat.CheckPath(context.Parse.GetValue(path));
            var commandLine = child.Validate(context);
            var wait = context.Parse.GetValue(timeout);
            var connection = await context.ConnectAsync();
            var mutex = new ZooKeeperMutex(connection, lockPath, Encoding.UTF8.GetBytes($"{Environment.MachineName} pid {Environment.ProcessId}"));
            var acquire = wait is { } limit ? mutex.TryAcquireAsync(limit, context.Cancellation) : AcquireAsync(mutex, context.Cancellation);
            var handle = await context.WithProgress(acquire, $"waiting for the lock {lockPath}")
                ?? throw new CliException(ExitCodes.Timeout, $"Timed out after {Durations.Format(wait!.Value)} waiting for the lock {lockPath}.");
            await using (handle)
            {
                var token = handle.FencingToken;
                context.Output.Detail("acquired", $"holding the lock {lockPath} (fencing token {token}, node {handle.NodePath}); running {commandLine[0]}",
                    new JsonObject
                    {
                        ["path"] = lockPath,
                        ["node"] = handle.NodePath,
                        ["fencingToken"] = token,
                        ["sessionId"] = connection.CurrentSession is { } session ? NodeFormat.Hex(session.SessionId) : null,
                    });
                using var process = ChildProcess.Start(commandLine, child.Environment(context, token));
                var outcome = await child.RunAsync(context, process, handle.LostToken);
                switch (outcome.End)
                {
                    case ChildEnd.OwnershipLost:
                        context.Output.Status("lost", $"The lock {lockPath} was lost (session suspended past the grace, or lost); the command was stopped (its exit code: {outcome.ExitCode}).",
                            new JsonObject { ["path"] = lockPath, ["fencingToken"] = token, ["childExitCode"] = outcome.ExitCode });
                        return ExitCodes.OwnershipLost;
                    case ChildEnd.Interrupted:
                        context.Output.Status("interrupted", $"Interrupted: the command was stopped and the lock {lockPath} released.",
                            new JsonObject { ["path"] = lockPath, ["childExitCode"] = outcome.ExitCode });
                        return context.Shutdown.ExitCode;
                    default:
                        context.Output.Detail("released", $"the command exited with {outcome.ExitCode}; releasing the lock {lockPath}",
                            new JsonObject { ["path"] = lockPath, ["childExitCode"] = outcome.ExitCode });
                        return outcome.ExitCode;
                }
            }
        });
        return command;
    }

    private static async Task<ZooKeeperLockHandle?> AcquireAsync(ZooKeeperMutex mutex, CancellationToken cancellationToken) =>
        await mutex.AcquireAsync(null, cancellationToken);
}
