namespace Recipes.Cli;

/// <summary>The `recipes` command line: dispatches to commands.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var command = args.Length > 0 ? args[0] : "help";
        try
        {
            return command switch
            {
                "demo" => await DemoCommand.RunAsync(args[1..], Console.Out, cancel.Token),
                "help" or "--help" or "-h" => Help(),
                _ => Unknown(command),
            };
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
    }

    private static int Help()
    {
        Console.WriteLine("""
            recipes: ZooKeeper coordination for .NET

            Usage:
              recipes demo [--verbose]   Start an embedded local ZooKeeper and show sessions, watches and
                                         ephemeral nodes surviving and dying with their sessions.

            Exit codes: 0 success, 1 failure, 2 usage error, 130 cancelled.
            """);
        return 0;
    }

    private static int Unknown(string command)
    {
        Console.Error.WriteLine($"Unknown command '{command}'. Run 'recipes help'.");
        return 2;
    }
}
