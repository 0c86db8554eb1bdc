using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Discovery.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Discovery;

/// <summary>
/// Registers this process's service instances and finds others', in Curator's curator-x-discovery layout and JSON
/// (<c>&lt;base path&gt;/&lt;service&gt;/&lt;instance id&gt;</c>; see <see cref="ServiceInstanceSerializer"/>), so Java and
/// .NET services discover each other.
/// </summary>
/// <remarks>
/// <para>
/// Registrations by <see cref="ServiceType"/>: <see cref="ServiceType.Dynamic"/> and <see cref="ServiceType.DynamicSequential"/>
/// are ephemeral nodes kept by Core's <see cref="EphemeralNodeKeeper"/>: re-created after session loss with the latest
/// data (not the data first registered: CURATOR-146), never twice for a sequential instance, and not deleted and
/// re-created on every reconnection. <see cref="ServiceType.Static"/> and <see cref="ServiceType.Permanent"/> are
/// persistent nodes, re-written after a reconnection only if they went missing or changed; disposal deletes static
/// ones and leaves permanent ones (Curator deletes both: CURATOR-94).
/// </para>
/// <para>Thread-safe. Dispose it to end every registration (and the providers it shares).</para>
/// </remarks>
public sealed class ServiceDiscovery : IAsyncDisposable
{
    private readonly IZooKeeperConnection _connection;
    private readonly ServiceDiscoveryOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<(string Name, string Id), IRegistration> _registrations = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<ServiceInstanceProvider>>> _providers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _ensuredServicePaths = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>Creates a discovery over <paramref name="connection"/>.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="options">Settings; null for the defaults. Validated and copied.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public ServiceDiscovery(IZooKeeperConnection connection, ServiceDiscoveryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _options = (options ?? new ServiceDiscoveryOptions()).Clone();
        _options.Validate();
        _connection = connection;
        _loggerFactory = connection.LoggerFactory;
        _logger = _loggerFactory.CreateLogger<ServiceDiscovery>();
    }

    /// <summary>The base path (relative to the connection's namespace).</summary>
    public string BasePath => _options.BasePath;

    /// <summary>The instances this discovery currently registers.</summary>
    public IReadOnlyList<ServiceInstance> RegisteredInstances => _registrations.Values.Select(r => r.Instance).ToList();

    /// <summary>
    /// Registers <paramref name="instance"/> and waits until its node exists (at most
    /// <see cref="ServiceDiscoveryOptions.RegistrationTimeout"/>). Registering an instance already registered here (same
    /// name and id) updates it.
    /// </summary>
    /// <param name="instance">The instance.</param>
    /// <param name="cancellationToken">Cancels the wait; the registration is then abandoned.</param>
    /// <returns>The node's path, e.g. <c>/services/orders/4f1c…</c> (with the sequence for <see cref="ServiceType.DynamicSequential"/>).</returns>
    /// <exception cref="ArgumentException">The name or id is not a valid znode name.</exception>
    /// <exception cref="InvalidOperationException">Registered here already with a different <see cref="ServiceType"/>.</exception>
    /// <exception cref="TimeoutException">The node was not created in time (the registration is abandoned).</exception>
    public async Task<string> RegisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        Check(instance);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var key = (instance.Name, instance.Id);
        while (true)
        {
            if (_registrations.TryGetValue(key, out var existing))
            {
                if (existing.Instance.ServiceType != instance.ServiceType)
                {
                    throw new InvalidOperationException(
                        $"Service instance {instance.Name}/{instance.Id} is registered here as {existing.Instance.ServiceType}; unregister it before registering it as {instance.ServiceType}.");
                }

                await existing.UpdateAsync(instance, cancellationToken);
                return existing.NodePath ?? NodeNames.Combine(NodeNames.Combine(BasePath, instance.Name), instance.Id);
            }

            await EnsureServicePathAsync(instance.Name, cancellationToken);
            var registration = Create(instance);
            if (!_registrations.TryAdd(key, registration))
            {
                continue;
            }

            try
            {
                await registration.StartAsync(_options.RegistrationTimeout, cancellationToken);
            }
            catch (Exception)
            {
                _registrations.TryRemove(KeyValuePair.Create(key, registration));
                await registration.UnregisterAsync(CancellationToken.None);
                throw;
            }

            _logger.LogDebug("Registered service instance {Instance} at '{Path}'.", instance, registration.NodePath);
            return registration.NodePath!;
        }
    }

    /// <summary>
    /// Replaces the data of an instance registered here (same name and id); the new data is also what is written
    /// whenever the node is re-created.
    /// </summary>
    /// <param name="instance">The new instance data.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="InvalidOperationException">Not registered here, or with a different <see cref="ServiceType"/>.</exception>
    public Task UpdateAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        Check(instance);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_registrations.TryGetValue((instance.Name, instance.Id), out var registration))
        {
            throw new InvalidOperationException($"Service instance {instance.Name}/{instance.Id} is not registered here.");
        }

        if (registration.Instance.ServiceType != instance.ServiceType)
        {
            throw new InvalidOperationException($"Service instance {instance.Name}/{instance.Id} is registered as {registration.Instance.ServiceType}; its type cannot change to {instance.ServiceType}.");
        }

        return registration.UpdateAsync(instance, cancellationToken);
    }

    /// <summary>
    /// Ends the registration of an instance (by name and id) and deletes its node, whatever its type; if the delete
    /// cannot be done now it is retried in the background. Does nothing for an instance not registered here.
    /// </summary>
    /// <param name="instance">The instance (its name and id).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task UnregisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (_registrations.TryRemove((instance.Name, instance.Id), out var registration))
        {
            await registration.UnregisterAsync(cancellationToken);
            _logger.LogInformation("Unregistered service instance {Instance}.", registration.Instance);
        }
    }

    /// <summary>The names of the services under the base path (sorted); empty when there is none.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    public Task<IReadOnlyList<string>> QueryForNamesAsync(CancellationToken cancellationToken = default) =>
        _connection.ExecuteAsync<IReadOnlyList<string>>(
            async (client, ct) =>
            {
                try
                {
                    return (await client.GetChildrenAsync(BasePath, null, ct)).Children.Order(StringComparer.Ordinal).ToList();
                }
                catch (NoNodeException)
                {
                    return [];
                }
            },
            cancellationToken);

    /// <summary>
    /// The instances of a service, read now (in znode-name order); nodes that do not hold a readable instance are
    /// skipped with a warning in the log.
    /// </summary>
    /// <param name="serviceName">The service.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public Task<IReadOnlyList<ServiceInstance>> QueryForInstancesAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        NodeNames.Validate(serviceName, "service name", nameof(serviceName));
        var servicePath = NodeNames.Combine(BasePath, serviceName);
        return _connection.ExecuteAsync<IReadOnlyList<ServiceInstance>>(
            async (client, ct) =>
            {
                IReadOnlyList<string> children;
                try
                {
                    children = (await client.GetChildrenAsync(servicePath, null, ct)).Children;
                }
                catch (NoNodeException)
                {
                    return [];
                }

                var reads = children.Order(StringComparer.Ordinal)
                    .Select(child => ReadInstanceAsync(client, NodeNames.Combine(servicePath, child), ct))
                    .ToList();
                var instances = await Task.WhenAll(reads);
                return instances.OfType<ServiceInstance>().ToList();
            },
            cancellationToken);
    }

    /// <summary>One instance of a service by id (its znode name), or null when there is none or it is not readable.</summary>
    /// <param name="serviceName">The service.</param>
    /// <param name="instanceId">The instance's znode name.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public Task<ServiceInstance?> QueryForInstanceAsync(string serviceName, string instanceId, CancellationToken cancellationToken = default)
    {
        NodeNames.Validate(serviceName, "service name", nameof(serviceName));
        NodeNames.Validate(instanceId, "instance id", nameof(instanceId));
        var path = NodeNames.Combine(NodeNames.Combine(BasePath, serviceName), instanceId);
        return _connection.ExecuteAsync((client, ct) => ReadInstanceAsync(client, path, ct), cancellationToken);
    }

    /// <summary>A new, not yet started, watched cache of one service's instances; the caller starts and disposes it.</summary>
    /// <param name="serviceName">The service.</param>
    public ServiceCache CreateCache(string serviceName)
    {
        NodeNames.Validate(serviceName, "service name", nameof(serviceName));
        return new ServiceCache(_connection, NodeNames.Combine(BasePath, serviceName), serviceName, _loggerFactory.CreateLogger<ServiceCache>());
    }

    /// <summary>A new, not yet started, provider of one service's instances, with its own cache; the caller starts and disposes it.</summary>
    /// <param name="serviceName">The service.</param>
    /// <param name="options">Settings; null for <see cref="ServiceDiscoveryOptions.Provider"/>. Validated and copied.</param>
    public ServiceInstanceProvider CreateProvider(string serviceName, ServiceInstanceProviderOptions? options = null)
    {
        var settings = (options ?? _options.Provider).Clone();
        settings.Validate();
        return new ServiceInstanceProvider(CreateCache(serviceName), settings, _connection.TimeProvider, null);
    }

    /// <summary>
    /// The started provider of one service that this discovery shares (created on first use with
    /// <see cref="ServiceDiscoveryOptions.Provider"/>; the HttpClient handler uses these). Owned by the discovery: do not dispose it.
    /// </summary>
    /// <param name="serviceName">The service.</param>
    /// <param name="cancellationToken">Stops waiting for the first load.</param>
    public async Task<ServiceInstanceProvider> GetProviderAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        NodeNames.Validate(serviceName, "service name", nameof(serviceName));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (true)
        {
            var lazy = _providers.GetOrAdd(serviceName, name => new Lazy<Task<ServiceInstanceProvider>>(() => StartSharedAsync(name)));
            try
            {
                return await lazy.Value.WaitAsync(cancellationToken);
            }
            catch (Exception) when (lazy.Value.IsFaulted)
            {
                if (_providers.TryRemove(KeyValuePair.Create(serviceName, lazy)))
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Ends every registration (permanent nodes stay) and disposes the shared providers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var closing = new List<Task>();
        foreach (var key in _registrations.Keys.ToList())
        {
            if (_registrations.TryRemove(key, out var registration))
            {
                closing.Add(CloseAsync(registration));
            }
        }

        await Task.WhenAll(closing);
        foreach (var lazy in _providers.Values.ToList())
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                await lazy.Value.Result.DisposeAsync();
            }
        }

        _providers.Clear();
    }

    /// <summary>
    /// Creates <c>&lt;base&gt;/&lt;service&gt;</c> (as containers) once per service and discovery, so that many
    /// registrations started together do not each find the parent missing and each create it. The nodes' own creates
    /// still re-create a parent the server has reaped since.
    /// </summary>
    private async Task EnsureServicePathAsync(string serviceName, CancellationToken cancellationToken)
    {
        var lazy = _ensuredServicePaths.GetOrAdd(
            serviceName,
            name => new Lazy<Task>(() => _connection.EnsurePathAsync(NodeNames.Combine(BasePath, name), CancellationToken.None)));
        try
        {
            await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (lazy.Value.IsFaulted)
        {
            // Not fatal: the registration creates missing parents itself. Try again next time.
            _ensuredServicePaths.TryRemove(KeyValuePair.Create(serviceName, lazy));
            _logger.LogDebug(e, "Creating the path of service '{Service}' failed; the registration creates it.", serviceName);
        }
    }

    private async Task CloseAsync(IRegistration registration)
    {
        try
        {
            await registration.CloseAsync();
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Closing the registration of {Instance} failed.", registration.Instance);
        }
    }

    private static void Check(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        NodeNames.Validate(instance.Name, "service name", nameof(instance));
        NodeNames.Validate(instance.Id, "instance id", nameof(instance));
        if (!Enum.IsDefined(instance.ServiceType))
        {
            throw new ArgumentException($"The service type {instance.ServiceType} of {instance.Name}/{instance.Id} is not defined.", nameof(instance));
        }
    }

    private IRegistration Create(ServiceInstance instance)
    {
        var path = NodeNames.Combine(NodeNames.Combine(BasePath, instance.Name), instance.Id);
        return instance.ServiceType is ServiceType.Dynamic or ServiceType.DynamicSequential
            ? new DynamicRegistration(_connection, path, instance)
            : new PersistentRegistration(_connection, path, instance, _logger);
    }

    private async Task<ServiceInstance?> ReadInstanceAsync(IZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        byte[]? data;
        try
        {
            data = (await client.GetDataAsync(path, null, cancellationToken)).Data;
        }
        catch (NoNodeException)
        {
            return null;
        }

        if (ServiceInstanceSerializer.TryDeserialize(data, out var instance, out var error))
        {
            return instance;
        }

        _logger.LogWarning("Skipping '{Path}': it does not hold a readable service instance ({Error}).", path, error);
        return null;
    }

    private async Task<ServiceInstanceProvider> StartSharedAsync(string serviceName)
    {
        var provider = new ServiceInstanceProvider(
            CreateCache(serviceName),
            _options.Provider.Clone(),
            _connection.TimeProvider,
            self =>
            {
                _providers.TryRemove(serviceName, out _);
                return ValueTask.CompletedTask;
            });
        try
        {
            await provider.StartAsync(CancellationToken.None);
            return provider;
        }
        catch (Exception)
        {
            await provider.Cache.DisposeAsync();
            throw;
        }
    }
}
