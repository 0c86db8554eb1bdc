using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Recipes.Cli.Infrastructure;

/// <summary>The arguments and options shared by the commands that run a child while owning something (lock, elect).</summary>
internal sealed partial class ChildOptions
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);

    public Argument<string[]> Command { get; } = new("command")
    {
        Description = "The command to run, after -- (run directly, not through a shell: use sh -c '...' for shell syntax).",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string?> FencingEnv { get; } = new("--fencing-env")
    {
        Description = "Export the fencing token (a number that only grows from one owner to the next) to the command in this environment variable.",
    };

    public Option<TimeSpan?> Grace { get; } = new("--grace")
    {
        Description = "When ownership ends, how long the command gets after SIGTERM before it (and its children) are killed. Default 10s.",
        CustomParser = Durations.Parse,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(FencingEnv);
        command.Options.Add(Grace);
        command.Arguments.Add(Command);
    }

    public IReadOnlyDictionary<string, string> Environment(CliContext context, long fencingToken)
    {
        var name = context.Parse.GetValue(FencingEnv);
        if (name is null)
        {
            return new Dictionary<string, string>();
        }

        return new Dictionary<string, string> { [name] = fencingToken.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    /// <summary>Checks the options before anything is acquired, so a typo never takes a lock.</summary>
    public IReadOnlyList<string> Validate(CliContext context)
    {
        if (context.Parse.GetValue(FencingEnv) is { } name && !EnvironmentName().IsMatch(name))
        {
            throw new CliException(ExitCodes.Usage, $"--fencing-env '{name}' is not an environment variable name (letters, digits, _; not starting with a digit).");
        }

        return context.Parse.GetValue(Command) ?? [];
    }

    /// <summary>Waits for the child to exit, <paramref name="lost"/> to fire, or Ctrl-C/SIGTERM; stops the child in the latter two cases.</summary>
    public async Task<ChildOutcome> RunAsync(CliContext context, ChildProcess child, CancellationToken lost)
    {
        var grace = context.Parse.GetValue(Grace) ?? DefaultGrace;
        var lostTask = Task.Delay(Timeout.Infinite, lost);
        var stopTask = Task.Delay(Timeout.Infinite, context.Cancellation);
        var first = await Task.WhenAny(child.Exited, lostTask, stopTask);
        if (first == child.Exited)
        {
            return new ChildOutcome(ChildEnd.Exited, await child.Exited);
        }

        var interrupted = context.Cancellation.IsCancellationRequested;
        var code = await child.StopAsync(interrupted ? context.Shutdown.Signal : PosixSignal.SIGTERM, grace);
        return new ChildOutcome(interrupted ? ChildEnd.Interrupted : ChildEnd.OwnershipLost, code);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
