using Recipes.Discovery;

namespace Recipes.Cli.Demo;

/// <summary>
/// The end of a run: every worker observes the last config value, discovery lists each live worker exactly once, and
/// every killed worker was re-registered exactly once.
/// </summary>
internal sealed class FinalCheckStep : IDemoStep
{
    public string Title => "Final state: configuration and discovery";

    public async Task RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        await context.WaitUntilAsync(
            () => context.Workers.All(w => context.ConfigValue(w.Name) == context.FinalBatchSize),
            $"every worker's options at {context.ConfigKey} = {context.FinalBatchSize}", cancellationToken);

        var services = context.RequireOperator().Services;
        var names = context.Workers.Select(w => w.Name).Order(StringComparer.Ordinal).ToList();
        await context.WaitUntilAsync(
            () => services.Instances.Select(i => i.Id).Order(StringComparer.Ordinal).SequenceEqual(names),
            $"discovery listing each worker exactly once ({string.Join(", ", names)})", cancellationToken);
        context.FinalServiceList = [.. services.Instances.Select(i => i.Id)];
        context.Narrator.Say($"FINAL   every worker's options hold {context.ConfigKey} = {context.FinalBatchSize}; discovery lists {string.Join(", ", context.FinalServiceList)} (each once)");

        var kills = context.KillLog;
        for (var i = 0; i < kills.Count; i++)
        {
            var (victim, before) = kills[i];
            var until = i + 1 < kills.Count ? kills[i + 1].ServiceEventsBefore : int.MaxValue;
            var added = DiscoveryStep.Since(context, before).Take(until - before).Count(e => e == (ServiceCacheChangeKind.Added, victim));
            if (added != 1)
            {
                throw new DemoCheckException($"{victim} was re-registered {added} times after its session was killed (expected once)");
            }
        }
    }
}
