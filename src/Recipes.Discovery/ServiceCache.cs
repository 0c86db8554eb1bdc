using Microsoft.Extensions.Logging;
using Recipes.Core;

namespace Recipes.Discovery;

/// <summary>
/// The live instances of one service, kept current by Core's <see cref="TreeCache"/> (one persistent recursive watch on
/// <c>&lt;base&gt;/&lt;service&gt;</c>, re-synchronised after reconnections and session loss), with change events.
/// Curator's <c>ServiceCache</c>.
/// </summary>
/// <remarks>
/// Instances are keyed by znode name. A node whose data is not a readable instance (malformed JSON, missing name or
/// id, or empty, like a parent created by hand) is skipped with a warning in the log, and counts as removed if it held
/// an instance before; it never stops the cache. Events are raised one at a time, in order, on the cache's processing
/// loop; a slow handler delays the cache.
/// </remarks>
public sealed class ServiceCache : IAsyncDisposable
{
    private readonly TreeCache _tree;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, ServiceInstance> _instances = new(StringComparer.Ordinal);
    private readonly List<(Func<IReadOnlyList<ServiceInstance>, bool> Predicate, TaskCompletionSource<IReadOnlyList<ServiceInstance>> Done)> _waiters = [];
    private IReadOnlyList<ServiceInstance>? _snapshot = [];

    internal ServiceCache(IZooKeeperConnection connection, string servicePath, string serviceName, ILogger logger)
    {
        ServiceName = serviceName;
        ServicePath = servicePath;
        _logger = logger;
        _tree = new TreeCache(connection, servicePath, new TreeCacheOptions { MaxDepth = 1 });
        _tree.Created += (_, e) => OnNode(e.Path, e.NewNode);
        _tree.Changed += (_, e) => OnNode(e.Path, e.NewNode);
        _tree.Deleted += (_, e) => OnNode(e.Path, null);
    }

    /// <summary>The service's name.</summary>
    public string ServiceName { get; }

    /// <summary>The znode of the service: <c>&lt;base&gt;/&lt;service&gt;</c>.</summary>
    public string ServicePath { get; }

    /// <summary>The cached instances, in znode-name order, as one consistent snapshot.</summary>
    public IReadOnlyList<ServiceInstance> Instances
    {
        get
        {
            lock (_lock)
            {
                return _snapshot ??= _instances.Values.ToArray();
            }
        }
    }

    /// <summary>Completes once the initial load was applied (its <see cref="Changed"/> events raised).</summary>
    public Task Initialized => _tree.Initialized;

    /// <summary>Raised for every instance added, updated or removed.</summary>
    public event EventHandler<ServiceCacheChangedEventArgs>? Changed;

    /// <summary>Starts watching and loads the instances; completes once they are loaded.</summary>
    /// <param name="cancellationToken">Stops waiting (the cache keeps loading in the background).</param>
    public Task StartAsync(CancellationToken cancellationToken) => _tree.StartAsync(cancellationToken);

    /// <summary>Completes with the first list of instances (the current one included) for which <paramref name="predicate"/> holds.</summary>
    /// <param name="predicate">The condition; it runs on the cache's loop and must be quick.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<IReadOnlyList<ServiceInstance>> WaitForAsync(Func<IReadOnlyList<ServiceInstance>, bool> predicate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var done = new TaskCompletionSource<IReadOnlyList<ServiceInstance>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var current = _snapshot ??= _instances.Values.ToArray();
            if (predicate(current))
            {
                return current;
            }

            _waiters.Add((predicate, done));
        }

        await using var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        try
        {
            return await done.Task;
        }
        finally
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }

    /// <summary>Stops watching and removes the watch from the server.</summary>
    public ValueTask DisposeAsync() => _tree.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => $"ServiceCache({ServicePath}: {Instances.Count} instances)";

    private void OnNode(string path, NodeSnapshot? node)
    {
        if (path.Length <= ServicePath.Length)
        {
            return; // the service node itself
        }

        var name = path[(ServicePath.Length + 1)..];
        ServiceInstance? instance = null;
        if (node is not null)
        {
            if (ServiceInstanceSerializer.TryDeserialize(node.Data, out var read, out var error))
            {
                instance = read;
            }
            else
            {
                _logger.LogWarning("Skipping '{Path}': it does not hold a readable service instance ({Error}).", path, error);
            }
        }

        ServiceCacheChangedEventArgs? change = null;
        List<TaskCompletionSource<IReadOnlyList<ServiceInstance>>>? satisfied = null;
        IReadOnlyList<ServiceInstance> snapshot;
        lock (_lock)
        {
            var had = _instances.TryGetValue(name, out var old);
            if (instance is not null)
            {
                _instances[name] = instance;
                change = new ServiceCacheChangedEventArgs(had ? ServiceCacheChangeKind.Updated : ServiceCacheChangeKind.Added, name, instance);
            }
            else if (had)
            {
                _instances.Remove(name);
                change = new ServiceCacheChangedEventArgs(ServiceCacheChangeKind.Removed, name, old!);
            }

            if (change is null)
            {
                return;
            }

            _snapshot = null;
            if (_waiters.Count > 0)
            {
                snapshot = _snapshot = _instances.Values.ToArray();
                foreach (var (predicate, done) in _waiters)
                {
                    if (!done.Task.IsCompleted && Matches(predicate, snapshot))
                    {
                        (satisfied ??= []).Add(done);
                    }
                }
            }
            else
            {
                snapshot = [];
            }
        }

        if (satisfied is not null)
        {
            foreach (var done in satisfied)
            {
                done.TrySetResult(snapshot);
            }
        }

        try
        {
            Changed?.Invoke(this, change);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A Changed handler of the service cache of '{Service}' threw for {Change}.", ServiceName, change);
        }
    }

    private bool Matches(Func<IReadOnlyList<ServiceInstance>, bool> predicate, IReadOnlyList<ServiceInstance> snapshot)
    {
        try
        {
            return predicate(snapshot);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A WaitForAsync predicate of the service cache of '{Service}' threw.", ServiceName);
            return false;
        }
    }
}
