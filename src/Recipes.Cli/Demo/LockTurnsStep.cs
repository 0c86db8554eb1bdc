namespace Recipes.Cli.Demo;

/// <summary>The workers take turns on the mutex; every grant carries a higher fencing token than the one before.</summary>
internal sealed class LockTurnsStep(int grants, string title) : IDemoStep
{
    public string Title { get; } = title;

    public Task RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var target = context.Referee.GrantHistory.Count + grants;
        return context.WaitUntilAsync(() => context.Referee.GrantHistory.Count >= target, $"{grants} more lock grants", cancellationToken);
    }
}
