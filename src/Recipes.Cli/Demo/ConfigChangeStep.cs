using System.Globalization;

namespace Recipes.Cli.Demo;

/// <summary>Changes the workers' configuration in ZooKeeper mid-run and waits until every worker's options monitor delivered it.</summary>
internal sealed class ConfigChangeStep(int newValue) : IDemoStep
{
    public string Title => "Hot-reloaded configuration: changing a value in ZooKeeper while the workers run";

    public async Task RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var writer = context.RequireOperator().Config;
        context.Narrator.Say($"CONFIG  setting {context.ConfigKey} = {newValue} (znode {writer.Path}/{context.ConfigKey.Replace(':', '/')})");
        context.FinalBatchSize = newValue;
        await writer.SetAsync(context.ConfigKey, newValue.ToString(CultureInfo.InvariantCulture), cancellationToken);
        await context.WaitUntilAsync(
            () => context.Workers.All(w => context.SawConfigChange(w.Name, newValue)),
            $"every worker observing {context.ConfigKey} = {newValue} through IOptionsMonitor.OnChange", cancellationToken);
    }
}
