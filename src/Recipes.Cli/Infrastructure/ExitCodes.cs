namespace Recipes.Cli.Infrastructure;

/// <summary>The exit codes of <c>recipes</c> (documented in recipes-docs/cli.md; keep the two in step).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Bad arguments or options (also System.CommandLine's code for parse errors).</summary>
    public const int Usage = 1;

    /// <summary>Could not connect, authentication failed, or the session was lost mid-command.</summary>
    public const int Connection = 2;

    /// <summary>The node does not exist.</summary>
    public const int NoNode = 3;

    /// <summary>The lock (or leadership) was not granted within <c>--timeout</c>.</summary>
    public const int Timeout = 4;

    /// <summary>Anything else failed: ZooKeeper refused the operation (no auth, ...), a local server could not start.</summary>
    public const int Failed = 5;

    /// <summary>The demo saw one of its checks fail.</summary>
    public const int CheckFailed = 6;

    /// <summary>The lock or leadership was lost while the child ran; the child was stopped.</summary>
    public const int OwnershipLost = 7;

    /// <summary>The child command could not be started (as shells report it).</summary>
    public const int CommandNotFound = 127;

    /// <summary>Interrupted by Ctrl-C (SIGINT): 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>Terminated by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;
}
