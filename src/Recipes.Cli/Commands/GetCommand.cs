using System.CommandLine;
using Recipes.Cli.Infrastructure;

namespace Recipes.Cli.Commands;

/// <summary><c>recipes get &lt;path&gt;</c>: a znode's data (text, or base64 when it is not UTF-8).</summary>
internal static class GetCommand
{
    public static Command Create(CliHost host)
    {
        var path = new Argument<string>("path") { Description = "The znode, e.g. /app/config." };
        var command = new Command("get", "Print a znode's data (as text; binary data as base64). Exit 3 if the node does not exist.") { path };
        host.SetAction(command, async context =>
        {
            var node = NodeFormat.CheckPath(context.Parse.GetValue(path));
            var connection = await context.ConnectAsync();
            var result = await connection.ExecuteAsync((client, ct) => client.GetDataAsync(node, cancellationToken: ct), context.Cancellation);
            var text = NodeFormat.AsText(result.Data);
            if (text is not null)
            {
                context.Output.Line(text);
            }
            else if (result.Data is { } binary)
            {
                context.Output.Status("binary", $"({binary.Length} bytes of binary data, shown as base64)");
                context.Output.Line(Convert.ToBase64String(binary));
            }

            var json = NodeFormat.DataJson(result.Data);
            json["path"] = node;
            json["stat"] = NodeFormat.StatJson(result.Stat);
            context.Output.Document(json);
            return ExitCodes.Ok;
        });
        return command;
    }
}
