using System.CommandLine;
using Recipes.Cli.Infrastructure;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Commands;

/// <summary><c>recipes stat &lt;path&gt;</c>: a znode's metadata.</summary>
internal static class StatCommand
{
    public static Command Create(CliHost host)
    {
        var path = new Argument<string>("path") { Description = "The znode." };
        var command = new Command("stat", "Print a znode's stat (zxids, versions, ephemeral owner, sizes). Exit 3 if it does not exist.") { path };
        host.SetAction(command, async context =>
        {
            var node = NodeFormat.CheckPath(context.Parse.GetValue(path));
            var connection = await context.ConnectAsync();
            var stat = await connection.ExecuteAsync((client, ct) => client.ExistsAsync(node, cancellationToken: ct), context.Cancellation)
                ?? throw new NoNodeException(node);
            foreach (var line in NodeFormat.StatLines(stat))
            {
                context.Output.Line(line);
            }

            var json = NodeFormat.StatJson(stat);
            json["path"] = node;
            context.Output.Document(json);
            return ExitCodes.Ok;
        });
        return command;
    }
}
