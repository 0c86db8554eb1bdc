namespace Recipes.Cli.Infrastructure;

/// <summary>How a child run by <c>lock</c> or <c>elect</c> ended, and its exit code.</summary>
internal sealed record ChildOutcome(ChildEnd End, int ExitCode);
