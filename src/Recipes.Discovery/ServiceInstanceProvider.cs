using Recipes.Discovery.Internal;

namespace Recipes.Discovery;

/// <summary>
/// Hands out live instances of one service from a <see cref="ServiceCache"/>, picked by a strategy, skipping disabled
/// instances and those the <see cref="DownInstancePolicy"/> counts as down after <see cref="NoteError"/>. Curator's
/// <c>ServiceProvider</c>.
/// </summary>
public sealed class ServiceInstanceProvider : IAsyncDisposable
{
    private readonly IInstanceSelectionStrategy _strategy;
    private readonly DownInstanceTracker _down;
    private readonly Func<ServiceInstanceProvider, ValueTask>? _onDispose;
    private int _disposed;

    internal ServiceInstanceProvider(ServiceCache cache, ServiceInstanceProviderOptions options, TimeProvider timeProvider, Func<ServiceInstanceProvider, ValueTask>? onDispose)
    {
        Cache = cache;
        _strategy = options.CreateStrategy();
        _down = new DownInstanceTracker(options.DownInstancePolicy.Clone(), timeProvider);
        _onDispose = onDispose;
    }

    /// <summary>The service's name.</summary>
    public string ServiceName => Cache.ServiceName;

    /// <summary>The cache the provider reads (owned by the provider).</summary>
    public ServiceCache Cache { get; }

    /// <summary>The strategy in use.</summary>
    public IInstanceSelectionStrategy Strategy => _strategy;

    /// <summary>Starts the cache; completes once the instances are loaded.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task StartAsync(CancellationToken cancellationToken) => Cache.StartAsync(cancellationToken);

    /// <summary>An instance picked by the strategy among the usable ones, or null when there is none.</summary>
    public ServiceInstance? GetInstance() => _strategy.Select(GetAllInstances());

    /// <summary>The usable instances: live, enabled and not down; in znode-name order.</summary>
    public IReadOnlyList<ServiceInstance> GetAllInstances()
    {
        var all = Cache.Instances;
        var usable = new List<ServiceInstance>(all.Count);
        foreach (var instance in all)
        {
            if (instance.Enabled && !_down.IsDown(instance))
            {
                usable.Add(instance);
            }
        }

        return usable;
    }

    /// <summary>Reports that using <paramref name="instance"/> failed; enough errors make it down for a while.</summary>
    /// <param name="instance">The instance.</param>
    public void NoteError(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        _down.NoteError(instance);
    }

    /// <summary>Whether <paramref name="instance"/> currently counts as down.</summary>
    /// <param name="instance">The instance.</param>
    public bool IsDown(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return _down.IsDown(instance);
    }

    /// <summary>Stops the cache.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_onDispose is not null)
        {
            await _onDispose(this);
        }

        await Cache.DisposeAsync();
    }

    /// <inheritdoc />
    public override string ToString() => $"ServiceInstanceProvider({ServiceName}: {GetAllInstances().Count} usable)";
}
