using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Recipes.Configuration.Tests;

/// <summary>
/// A configuration with ZooKeeper sources, a DI container binding <see cref="ServiceSettings"/> from its "Service"
/// section, and every <c>IOptionsMonitor.OnChange</c> value in a channel.
/// </summary>
internal sealed class ConfiguredApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IDisposable? _subscription;
    private readonly Channel<ServiceSettings> _changes = Channel.CreateUnbounded<ServiceSettings>();

    public ConfiguredApp(IConfigurationRoot configuration, string section = "Service")
    {
        Configuration = configuration;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<ServiceSettings>().Bind(configuration.GetSection(section));
        services.AddHealthChecks().AddZooKeeperConfiguration();
        _services = services.BuildServiceProvider();
        Monitor = _services.GetRequiredService<IOptionsMonitor<ServiceSettings>>();
        _subscription = Monitor.OnChange(value => _changes.Writer.TryWrite(value));
    }

    public IConfigurationRoot Configuration { get; }

    public IOptionsMonitor<ServiceSettings> Monitor { get; }

    public IServiceProvider Services => _services;

    public ZooKeeperConfigurationProvider Provider => Configuration.Providers.OfType<ZooKeeperConfigurationProvider>().Single();

    public static ConfiguredApp Build(Action<IConfigurationBuilder> configure, string section = "Service")
    {
        var builder = new ConfigurationBuilder();
        configure(builder);
        return new ConfiguredApp(builder.Build(), section);
    }

    /// <summary>Waits for an OnChange whose value satisfies <paramref name="condition"/> (earlier values are skipped).</summary>
    public async Task<ServiceSettings> ChangedAsync(Func<ServiceSettings, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(ConfigTestKit.Patience);
        try
        {
            while (true)
            {
                var value = await _changes.Reader.ReadAsync(timeout.Token);
                if (condition(value))
                {
                    return value;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Timed out after {ConfigTestKit.Patience.TotalSeconds:0.#} s waiting for OnChange with: {what}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await _services.DisposeAsync();
        foreach (var provider in Configuration.Providers.OfType<ZooKeeperConfigurationProvider>())
        {
            await provider.DisposeAsync();
        }
    }
}
