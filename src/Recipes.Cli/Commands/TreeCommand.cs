using System.CommandLine;
using System.Text.Json.Nodes;
using Recipes.Cli.Infrastructure;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Commands;

/// <summary><c>recipes tree [path]</c>: the znodes under a path, as a tree (or nested JSON).</summary>
internal static class TreeCommand
{
    public static Command Create(CliHost host)
    {
        var path = new Argument<string?>("path") { Description = "Where to start. Default /.", Arity = ArgumentArity.ZeroOrOne };
        var depth = new Option<int?>("--depth") { Description = "How many levels below the path to show. Default: all." };
        var maxNodes = new Option<int>("--max-nodes") { Description = "Stop listing after this many nodes. Default 10000.", DefaultValueFactory = _ => 10_000 };
        var command = new Command("tree", "Show the znodes under a path (ephemeral nodes show their owner session). Exit 3 if the path does not exist.")
        {
            path, depth, maxNodes,
        };
        host.SetAction(command, async context =>
        {
            var rootPath = NodeFormat.CheckPath(context.Parse.GetValue(path));
            var levels = context.Parse.GetValue(depth);
            var limit = context.Parse.GetValue(maxNodes);
            if (levels is < 0 || limit < 1)
            {
                throw new CliException(ExitCodes.Usage, "--depth must be at least 0 and --max-nodes at least 1.");
            }

            var connection = await context.ConnectAsync();
            var budget = new Budget(limit);
            var root = await ReadAsync(connection, rootPath, levels, budget, context.Cancellation)
                ?? throw new NoNodeException(rootPath);
            if (context.Output.Json)
            {
                context.Output.Document(ToJson(root));
            }
            else
            {
                context.Output.Line(rootPath + Describe(root.Stat));
                Print(context.Output, root, "");
            }

            if (budget.Truncated)
            {
                context.Output.Status("truncated", $"(stopped after {limit} nodes; use --max-nodes or --depth)", new JsonObject { ["maxNodes"] = limit });
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<Node?> ReadAsync(IZooKeeperConnection connection, string path, int? levels, Budget budget, CancellationToken cancellationToken)
    {
        ChildrenResult children;
        try
        {
            children = await connection.ExecuteAsync((client, ct) => client.GetChildrenAsync(path, cancellationToken: ct), cancellationToken);
        }
        catch (NoNodeException)
        {
            return null; // deleted while we walked (or the root is missing)
        }

        var node = new Node(path, children.Stat, []);
        if (levels is 0)
        {
            return node;
        }

        foreach (var name in children.Children.Order(StringComparer.Ordinal))
        {
            if (!budget.Take())
            {
                break;
            }

            if (await ReadAsync(connection, PathUtils.Combine(path, name), levels - 1, budget, cancellationToken) is { } child)
            {
                node.Children.Add(child);
            }
        }

        return node;
    }

    private static void Print(CliOutput output, Node node, string indent)
    {
        for (var i = 0; i < node.Children.Count; i++)
        {
            var child = node.Children[i];
            var last = i == node.Children.Count - 1;
            output.Line(indent + (last ? "└── " : "├── ") + PathUtils.GetNodeName(child.Path) + Describe(child.Stat));
            Print(output, child, indent + (last ? "    " : "│   "));
        }
    }

    private static string Describe(Stat stat) =>
        (stat.DataLength > 0 ? $"  ({stat.DataLength} bytes)" : "")
        + (stat.EphemeralOwner != 0 ? $"  [ephemeral, session {NodeFormat.Hex(stat.EphemeralOwner)}]" : "");

    private static JsonObject ToJson(Node node)
    {
        var children = new JsonArray();
        foreach (var child in node.Children)
        {
            children.Add(ToJson(child));
        }

        return new JsonObject
        {
            ["path"] = node.Path,
            ["dataLength"] = node.Stat.DataLength,
            ["numChildren"] = node.Stat.NumChildren,
            ["ephemeralOwner"] = node.Stat.EphemeralOwner == 0 ? null : NodeFormat.Hex(node.Stat.EphemeralOwner),
            ["children"] = children,
        };
    }

    private sealed record Node(string Path, Stat Stat, List<Node> Children);

    private sealed class Budget(int limit)
    {
        private int _left = limit;

        public bool Truncated { get; private set; }

        public bool Take()
        {
            if (_left-- > 0)
            {
                return true;
            }

            Truncated = true;
            return false;
        }
    }
}
