using System.CommandLine;
using System.Text.Json.Nodes;

namespace Recipes.Cli.Infrastructure;

/// <summary>
/// What every command shares: the shutdown signal and the process's stdout/stderr. <see cref="SetAction"/> wires a
/// command body so it gets a <see cref="CliContext"/>, and so errors, Ctrl-C and SIGTERM become documented exit codes.
/// </summary>
internal sealed class CliHost(ShutdownSignal shutdown, TextWriter stdout, TextWriter stderr)
{
    public ShutdownSignal Shutdown { get; } = shutdown;

    public void SetAction(Command command, Func<CliContext, Task<int>> body) =>
        command.SetAction(async (parse, _) =>
        {
            await using var context = new CliContext(parse, Shutdown, stdout, stderr);
            try
            {
                return await body(context);
            }
            catch (OperationCanceledException) when (Shutdown.Requested)
            {
                context.Output.Status("interrupted", "Interrupted.", new JsonObject { ["exitCode"] = Shutdown.ExitCode });
                return Shutdown.ExitCode;
            }
            catch (Exception e)
            {
                var (code, message) = CliErrors.Describe(e);
                context.Output.Status("error", "error: " + message, new JsonObject { ["exitCode"] = code, ["message"] = message });
                if (context.Output.Verbose)
                {
                    await stderr.WriteLineAsync(e.ToString());
                }

                return code;
            }
        });
}
