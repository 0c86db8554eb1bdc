using System.CommandLine;
using Recipes.Cli.Commands;
using Recipes.Cli.Infrastructure;

namespace Recipes.Cli;

/// <summary>The <c>recipes</c> command line: the root command, its command groups, and invocation.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var shutdown = new ShutdownSignal();
        var root = CreateRoot(new CliHost(shutdown, Console.Out, Console.Error));

        // No response files: "@name" arguments belong to the child commands of lock/elect, not to us.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

        // Ctrl-C and SIGTERM are ours (ShutdownSignal), so that locks, leadership and children are released cleanly.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, shutdown.Token);
    }

    public static RootCommand CreateRoot(CliHost host)
    {
        var root = new RootCommand("""
            recipes: ZooKeeper coordination from the command line (locks, leader election, service discovery, configuration, znodes, a local server, the demo).
            Exit codes: 0 ok, 1 usage, 2 cannot connect, 3 no such node/key/instance, 4 lock timeout, 5 other failure, 6 demo check failed,
            7 lock lost (command stopped), 127 command not found, 130/143 Ctrl-C/SIGTERM; lock and elect otherwise exit with
            the command's code. Details: recipes-docs/cli.md.
            """);
        GlobalOptions.AddTo(root);

        // One file per command (group).
        root.Subcommands.Add(DemoCommand.Create(host));
        root.Subcommands.Add(LockCommand.Create(host));
        root.Subcommands.Add(ElectCommand.Create(host));
        root.Subcommands.Add(TreeCommand.Create(host));
        root.Subcommands.Add(GetCommand.Create(host));
        root.Subcommands.Add(StatCommand.Create(host));
        root.Subcommands.Add(WatchCommand.Create(host));
        root.Subcommands.Add(ServicesCommand.Create(host));
        root.Subcommands.Add(ConfigCommand.Create(host));
        root.Subcommands.Add(ServerCommand.Create(host));
        return root;
    }
}
