namespace Recipes.Cli.Demo;

/// <summary>Something the demo waits for did not happen in time (the summary reports it as a failed check).</summary>
internal sealed class DemoCheckException(string message) : Exception(message);
