using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.Invariants;
using Recipes.Configuration;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>
/// Hot-reloaded configuration under faults: the first actor writes the <c>App</c> section (znode tree mode) again and
/// again (a counter, a color, a key set and deleted); every other actor is a subscriber with its own connection, its own
/// configuration provider and an <see cref="IOptionsMonitor{TOptions}"/> bound to the section.
/// </summary>
internal sealed class ConfigurationWorkload(IReadOnlyList<ChaosActor> actors, string path = "/config") : IChaosWorkload
{
    private static readonly string[] Colors = ["red", "green", "blue", "amber", "violet"];

    private readonly ActorLoops _loops = new();
    private readonly List<Subscriber> _subscribers = [];
    private ChaosContext? _context;
    private int _writes;
    private int _errors;
    private int _counter;

    public string Name => "configuration";

    /// <summary>Successful writes.</summary>
    public int Acquisitions => Volatile.Read(ref _writes);

    public int Errors => Volatile.Read(ref _errors);

    public IReadOnlyList<IHistoryInvariant> Invariants => [];

    public IReadOnlyList<IQuiescentCheck> QuiescentChecks => [new SubscribersConverge(this)];

    public async Task StartAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        _context = context;
        await new ZooKeeperConfigurationWriter(actors[0].Connection, path).SetManyAsync(Values(new Random(context.Seed)), cancellationToken);
        foreach (var actor in actors.Skip(1))
        {
            _subscribers.Add(Subscriber.Start(actor.Name, actor.Connection, path));
        }

        _loops.Start([actors[0]], context.Seed, salt: 3001, WriteAsync, cancellationToken);
    }

    public async Task StopAsync()
    {
        await _loops.StopAsync();
        foreach (var subscriber in _subscribers)
        {
            await subscriber.DisposeAsync();
        }
    }

    private Dictionary<string, string?> Values(Random random)
    {
        var counter = Interlocked.Increment(ref _counter);
        return new Dictionary<string, string?>
        {
            ["App:Counter"] = counter.ToString(CultureInfo.InvariantCulture),
            ["App:Color"] = Colors[random.Next(Colors.Length)],
        };
    }

    private async Task WriteAsync(ChaosActor actor, Random random, CancellationToken stop)
    {
        var writer = new ZooKeeperConfigurationWriter(actor.Connection, path);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                switch (random.Next(4))
                {
                    case 0:
                        await writer.SetAsync("App:Note", "note-" + random.Next(1000).ToString(CultureInfo.InvariantCulture), stop);
                        break;
                    case 1:
                        await writer.DeleteAsync("App:Note", stop);
                        break;
                    default:
                        await writer.SetManyAsync(Values(random), stop);
                        break;
                }

                Interlocked.Increment(ref _writes);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _errors);
                _context!.Log($"{actor} write failed: {e.GetType().Name}: {e.Message}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(50, 300)), actor.Clock, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One subscriber "process": a configuration built on its connection and an options monitor over it.</summary>
    private sealed class Subscriber(string name, IConfigurationRoot configuration, ServiceProvider services) : IAsyncDisposable
    {
        public string Name { get; } = name;

        public ChaosAppSettings Current => services.GetRequiredService<IOptionsMonitor<ChaosAppSettings>>().CurrentValue;

        public static Subscriber Start(string name, Recipes.Core.IZooKeeperConnection connection, string path)
        {
            var configuration = new ConfigurationBuilder().AddZooKeeper(connection, path).Build();
            var services = new ServiceCollection();
            services.AddOptions<ChaosAppSettings>().Bind(configuration.GetSection(ChaosAppSettings.Section));
            return new Subscriber(name, configuration, services.BuildServiceProvider());
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            (configuration as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Stops the writer, makes a last write through a fresh connection, then waits until every subscriber's
    /// <c>CurrentValue</c> equals what a fresh configuration read from the server binds to.
    /// </summary>
    private sealed class SubscribersConverge(ConfigurationWorkload workload) : IQuiescentCheck
    {
        public string Name => "configuration subscribers converge";

        public async Task<QuiescentResult> CheckAsync(ChaosContext context, CancellationToken cancellationToken)
        {
            var healedAt = context.History.Now;
            await workload._loops.StopAsync();
            await using var direct = await context.ConnectDirectAsync(cancellationToken);
            await new ZooKeeperConfigurationWriter(direct, workload.Path).SetManyAsync(
                [new("App:Counter", "-1"), new("App:Color", "final")], cancellationToken);
            var fresh = new ConfigurationBuilder().AddZooKeeper(direct, workload.Path).Build();
            var server = fresh.GetSection(ChaosAppSettings.Section).Get<ChaosAppSettings>() ?? new ChaosAppSettings();
            (fresh as IDisposable)?.Dispose();
            context.Log($"server holds {server} after the last write");
            return await Convergence.WaitAsync(
                context,
                Name,
                healedAt,
                () => Task.FromResult(ConfigurationConvergence.Problems(server, workload._subscribers.ToDictionary(s => s.Name, s => s.Current, StringComparer.Ordinal))),
                cancellationToken);
        }
    }

    private string Path => path;
}
