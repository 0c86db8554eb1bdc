using Recipes.Discovery;

namespace Recipes.Cli.Demo;

/// <summary>
/// After a kill: discovery shows the killed worker's instance disappear (its ephemeral node went with its session)
/// and come back once, re-registered by discovery's keeper with the worker's new session.
/// </summary>
internal sealed class DiscoveryStep : IDemoStep
{
    public string Title => "Service discovery: the killed worker's instance disappears, then is re-registered";

    public async Task RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        if (context.KillLog.Count == 0)
        {
            throw new DemoCheckException("no kill to show discovery updating after");
        }

        var (victim, before) = context.KillLog[^1];
        await context.WaitUntilAsync(() => Since(context, before).Contains((ServiceCacheChangeKind.Removed, victim)), $"{victim}'s instance disappearing from discovery", cancellationToken);
        await context.WaitUntilAsync(
            () => Since(context, before).SkipWhile(e => e != (ServiceCacheChangeKind.Removed, victim)).Contains((ServiceCacheChangeKind.Added, victim)),
            $"{victim} re-registered in discovery", cancellationToken);
        context.Narrator.Say($"SERVICE {victim} is listed again: {string.Join(", ", context.RequireOperator().Services.Instances.Select(i => i.Id))}");
    }

    /// <summary>The discovery events after the kill.</summary>
    internal static IEnumerable<(ServiceCacheChangeKind Kind, string Id)> Since(DemoContext context, int before) => context.ServiceEvents.Skip(before);
}
