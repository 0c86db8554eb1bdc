using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Recipes.Cli.Demo;

/// <summary>
/// Every worker builds its configuration from the demo's config root with <c>AddZooKeeper</c> (over its own connection),
/// binds <see cref="DemoWorkerOptions"/> and reports each value its <c>IOptionsMonitor.OnChange</c> delivers.
/// </summary>
internal sealed class ConfigFeature(DemoContext demo) : IDemoWorkerFeature
{
    public Task<IAsyncDisposable> AttachAsync(DemoWorker worker, CancellationToken cancellationToken)
    {
        // Building waits (bounded) for the first load, so run it off the caller's thread.
        return Task.Run<IAsyncDisposable>(
            () =>
            {
                var configuration = new ConfigurationBuilder().AddZooKeeper(worker.Connection, demo.ConfigPath, o => o.StartupTimeout = DemoContext.StepTimeout).Build();
                var services = new ServiceCollection();
                services.AddOptions<DemoWorkerOptions>().Bind(configuration.GetSection(DemoWorkerOptions.Section));
                var provider = services.BuildServiceProvider();
                var monitor = provider.GetRequiredService<IOptionsMonitor<DemoWorkerOptions>>();
                demo.ObserveConfig(worker.Name, monitor.CurrentValue.BatchSize, initial: true);
                var listener = monitor.OnChange(o => demo.ObserveConfig(worker.Name, o.BatchSize, initial: false));
                return new Attachment(configuration, provider, listener);
            },
            cancellationToken);
    }

    private sealed class Attachment(IConfigurationRoot configuration, ServiceProvider provider, IDisposable? listener) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            listener?.Dispose();
            await provider.DisposeAsync();
            (configuration as IDisposable)?.Dispose();
        }
    }
}
