using System.CommandLine;
using Recipes.Cli.Demo;
using Recipes.Cli.Infrastructure;

namespace Recipes.Cli.Commands;

/// <summary>
/// <c>recipes demo</c>: an embedded ZooKeeper, workers electing a leader and taking turns on a lock, the leader's
/// session killed on the server, and a summary of checked invariants (exit 6 if one failed).
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliHost host)
    {
        var workers = new Option<int>("--workers") { Description = "How many workers (each its own session). Default 3.", DefaultValueFactory = _ => 3 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep going (a kill, more turns, again) until Ctrl-C." };
        var command = new Command("demo", "Start an embedded ZooKeeper; workers elect a leader and take turns on a lock; the leader's session is killed on the server; leadership and the lock move on with higher fencing tokens. Exits 0 when every check held, 6 otherwise.")
        {
            workers, follow,
        };
        host.SetAction(command, context =>
        {
            var count = context.Parse.GetValue(workers);
            if (count is < 2 or > 20)
            {
                throw new CliException(ExitCodes.Usage, "--workers must be between 2 and 20.");
            }

            // Only an explicit --connect: a ZOOKEEPER_CONNECT left in the shell must not point the demo at a real cluster.
            var connect = context.Parse.GetValue(GlobalOptions.Connect);
            return new DemoRunner(context, count, context.Parse.GetValue(follow), connect).RunAsync();
        });
        return command;
    }
}
