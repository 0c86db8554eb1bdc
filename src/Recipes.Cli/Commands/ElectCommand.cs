using System.CommandLine;
using System.Text.Json.Nodes;
using Recipes.Cli.Infrastructure;
using Recipes.Leader;

namespace Recipes.Cli.Commands;

/// <summary>
/// <c>recipes elect &lt;path&gt; -- command</c>: runs the command only while this process leads (a
/// <see cref="LeaderSelector"/>, Curator-compatible): stops it when leadership is lost, runs it again on every
/// re-election, and exits with its exit code when it ends by itself. Ctrl-C stops it and resigns.
/// </summary>
internal static class ElectCommand
{
    public static Command Create(CliHost host)
    {
        var path = new Argument<string>("path") { Description = "The election's znode, e.g. /leader/scheduler (Curator LeaderSelector layout)." };
        var id = new Option<string?>("--id") { Description = "This participant's id (shown to others). Default: <machine>-<pid>-<random>." };
        var child = new ChildOptions();
        var command = new Command("elect", "Run a command only while this process is the leader: stopped on loss, started again on re-election. Exits with the command's exit code when it ends by itself.")
        {
            path, id,
        };
        child.AddTo(command);
        host.SetAction(command, async context =>
        {
            var electionPath = NodeFormat.CheckPath(context.Parse.GetValue(path));
            var commandLine = child.Validate(context);
            var options = new LeaderElectionOptions();
            if (context.Parse.GetValue(id) is { } participantId)
            {
                options.ParticipantId = participantId;
            }

            var connection = await context.ConnectAsync();
            var finished = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var selector = new LeaderSelector(connection, electionPath, async (term, lost) =>
            {
                if (finished.Task.IsCompleted || context.Cancellation.IsCancellationRequested)
                {
                    return;
                }

                var fields = new JsonObject
                {
                    ["path"] = electionPath,
                    ["id"] = term.ParticipantId,
                    ["term"] = term.Term,
                    ["sessionId"] = NodeFormat.Hex(term.SessionId),
                };
                context.Output.Status("elected", $"Leading {electionPath} as '{term.ParticipantId}' (term {term.Term}, session {NodeFormat.Hex(term.SessionId)}): starting {commandLine[0]}", fields);
                ChildProcess process;
                try
                {
                    process = ChildProcess.Start(commandLine, child.Environment(context, term.Term));
                }
                catch (Exception e)
                {
                    finished.TrySetException(e);
                    return;
                }

                using (process)
                {
                    var outcome = await child.RunAsync(context, process, lost);
                    fields["childExitCode"] = outcome.ExitCode;
                    switch (outcome.End)
                    {
                        case ChildEnd.Exited:
                            context.Output.Status("exited", $"The command exited with {outcome.ExitCode}; resigning.", (JsonObject)fields.DeepClone());
                            finished.TrySetResult(outcome.ExitCode);
                            break;
                        case ChildEnd.Interrupted:
                            finished.TrySetResult(context.Shutdown.ExitCode);
                            break;
                        default:
                            context.Output.Status("lost", $"Leadership of {electionPath} was lost (term {term.Term}); the command was stopped (exit code {outcome.ExitCode}). Waiting to lead again.", (JsonObject)fields.DeepClone());
                            break;
                    }
                }
            }, options);
            await selector.StartAsync(context.Cancellation);
            context.Output.Status("waiting", $"Waiting to lead {electionPath} as '{selector.ParticipantId}' (Ctrl-C to leave).",
                new JsonObject { ["path"] = electionPath, ["id"] = selector.ParticipantId });
            try
            {
                return await finished.Task.WaitAsync(context.Cancellation);
            }
            catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
            {
                // Ctrl-C/SIGTERM: StopAsync cancels the term, the callback stops the child, and our node is deleted.
                await selector.StopAsync(CancellationToken.None);
                context.Output.Status("resigned", $"Interrupted: left the election {electionPath}.", new JsonObject { ["path"] = electionPath });
                return context.Shutdown.ExitCode;
            }
            finally
            {
                await selector.StopAsync(CancellationToken.None);
            }
        });
        return command;
    }
}
