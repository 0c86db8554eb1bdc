namespace Recipes.Cli.Demo;

/// <summary>
/// One scene of the demo: it drives the workers or the cluster and waits (bounded) until what it shows has happened.
/// The script is an ordered list of steps (<see cref="DemoScript"/>); new recipes add their scenes as new steps.
/// </summary>
internal interface IDemoStep
{
    /// <summary>A short title printed before the step runs.</summary>
    string Title { get; }

    /// <summary>Runs the step; throws <see cref="DemoCheckException"/> if what it expects does not happen in time.</summary>
    Task RunAsync(DemoContext context, CancellationToken cancellationToken);
}
