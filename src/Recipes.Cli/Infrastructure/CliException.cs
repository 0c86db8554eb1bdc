namespace Recipes.Cli.Infrastructure;

/// <summary>A failure the CLI reports as one line on stderr with its own exit code.</summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The process exit code (one of <see cref="ExitCodes"/>).</summary>
    public int ExitCode { get; } = exitCode;
}
