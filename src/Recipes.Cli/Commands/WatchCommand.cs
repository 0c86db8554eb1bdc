using System.CommandLine;
using System.Text.Json.Nodes;
using Recipes.Cli.Infrastructure;
using Recipes.Core;

namespace Recipes.Cli.Commands;

/// <summary>
/// <c>recipes watch &lt;path&gt;</c>: prints every change under a path until Ctrl-C. Core's <see cref="TreeCache"/> does
/// the watching (one persistent recursive watch, re-added and re-read after reconnects and new sessions).
/// </summary>
internal static class WatchCommand
{
    public static Command Create(CliHost host)
    {
        var path = new Argument<string>("path") { Description = "The znode to watch (it need not exist yet)." };
        var depth = new Option<int?>("--depth") { Description = "How many levels below the path to watch: 0 = the node only. Default: all." };
        var command = new Command("watch", "Print created/changed/deleted events for a znode and its descendants until Ctrl-C (persistent recursive watch; survives reconnects and session loss).")
        {
            path, depth,
        };
        host.SetAction(command, async context =>
        {
            var root = NodeFormat.CheckPath(context.Parse.GetValue(path));
            var options = new TreeCacheOptions { MaxDepth = context.Parse.GetValue(depth) };
            if (options.MaxDepth is < 0)
            {
                throw new CliException(ExitCodes.Usage, "--depth must be at least 0.");
            }

            var connection = await context.ConnectAsync();
            await using var cache = new TreeCache(connection, root, options);
            cache.Created += (_, e) =>
            {
                // The initial load is reported as Created events before Initialized completes: not changes.
                if (cache.Initialized.IsCompleted)
                {
                    Print(context.Output, "created", e);
                }
            };
            cache.Changed += (_, e) => Print(context.Output, "changed", e);
            cache.Deleted += (_, e) => Print(context.Output, "deleted", e);
            await context.WaitWithProgressAsync(cache.StartAsync(context.Cancellation), $"reading {root}");
            context.Output.Status("watching", $"watching {root} ({cache.Count} nodes now); Ctrl-C to stop",
                new JsonObject { ["path"] = root, ["nodes"] = cache.Count });
            await Task.Delay(Timeout.Infinite, context.Cancellation);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliOutput output, string kind, TreeCacheEventArgs e)
    {
        var node = e.NewNode ?? e.OldNode;
        var time = DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        var text = e.NewNode is { } current ? NodeFormat.AsText(current.Data) : null;
        output.Line($"{time} {kind,-7} {e.Path}" + (e.NewNode is { } n ? $"  version {n.Stat.Version}, {n.Stat.DataLength} bytes" + (text is { Length: > 0 and <= 80 } && !text.Contains('\n', StringComparison.Ordinal) ? $": {text}" : "") : ""));
        var json = new JsonObject { ["event"] = kind, ["path"] = e.Path, ["time"] = DateTimeOffset.UtcNow.ToString("O") };
        if (e.NewNode is { } fresh)
        {
            foreach (var (key, value) in NodeFormat.DataJson(fresh.Data))
            {
                json[key] = value?.DeepClone();
            }

            json["stat"] = NodeFormat.StatJson(fresh.Stat);
        }
        else if (node is not null)
        {
            json["czxid"] = node.Stat.Czxid;
        }

        output.JsonLine(json);
    }
}
