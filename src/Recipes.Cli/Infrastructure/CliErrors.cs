using Recipes.Testing;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Infrastructure;

/// <summary>Turns an exception into the one-line message and exit code the user sees.</summary>
internal static class CliErrors
{
    public static (int ExitCode, string Message) Describe(Exception exception) => exception switch
    {
        CliException e => (e.ExitCode, e.Message),
        NoNodeException e => (ExitCodes.NoNode, $"No node at '{e.Path}'."),
        ConnectionLossException e => (ExitCodes.Connection, $"Cannot reach ZooKeeper: {e.Message}"),
        AuthFailedException => (ExitCodes.Connection, "ZooKeeper rejected the credentials (--auth / ZOOKEEPER_AUTH)."),
        SessionExpiredException => (ExitCodes.Connection, "The ZooKeeper session expired during the command."),
        NoAuthException e => (ExitCodes.Failed, $"Not allowed by the ACL of '{e.Path}' (authenticate with --auth user:password)."),
        ZooKeeperException e => (ExitCodes.Failed, $"ZooKeeper refused the operation{(e.Path is null ? "" : $" on '{e.Path}'")}: {e.Code}."),
        ZooKeeperNotInstalledException e => (ExitCodes.Failed, e.Message),
        ArgumentException e => (ExitCodes.Usage, e.Message),
        _ => (ExitCodes.Failed, $"{exception.GetType().Name}: {exception.Message}"),
    };
}
