namespace Recipes.Cli.Demo;

/// <summary>The workers elect a leader (Curator-compatible <c>LeaderLatch</c> nodes; the first in line leads).</summary>
internal sealed class ElectionStep : IDemoStep
{
    public string Title => "Leader election: every worker joins; the first in line leads";

    public Task RunAsync(DemoContext context, CancellationToken cancellationToken) =>
        context.WaitUntilAsync(() => context.Referee.Leader is not null, "a leader elected", cancellationToken);
}
