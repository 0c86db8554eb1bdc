using Recipes.Core;

namespace Recipes.Discovery.Internal;

/// <summary>
/// A <see cref="ServiceType.Dynamic"/> or <see cref="ServiceType.DynamicSequential"/> instance: an ephemeral node kept by
/// Core's <see cref="EphemeralNodeKeeper"/>, which re-creates it after session loss with the latest data and never leaves
/// two sequential nodes.
/// </summary>
internal sealed class DynamicRegistration(IZooKeeperConnection connection, string path, ServiceInstance instance) : IRegistration
{
    private readonly EphemeralNodeKeeper _keeper = new(
        connection,
        path,
        ServiceInstanceSerializer.Serialize(instance),
        instance.ServiceType == ServiceType.DynamicSequential ? EphemeralNodeMode.EphemeralSequential : EphemeralNodeMode.Ephemeral);

    private ServiceInstance _instance = instance;

    public ServiceInstance Instance => Volatile.Read(ref _instance);

    public string? NodePath => _keeper.ActualPath;

    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _keeper.StartAsync(cancellationToken);
        if (!await _keeper.WaitForCreatedAsync(timeout, cancellationToken))
        {
            throw new TimeoutException($"The node of service instance {Instance} was not created within {timeout.TotalSeconds:0.#} s (is ZooKeeper reachable?).");
        }
    }

    public async Task UpdateAsync(ServiceInstance instance, CancellationToken cancellationToken)
    {
        var data = ServiceInstanceSerializer.Serialize(instance);
        Volatile.Write(ref _instance, instance);
        await _keeper.SetDataAsync(data, cancellationToken);
    }

    public Task UnregisterAsync(CancellationToken cancellationToken) => _keeper.DisposeAsync().AsTask();

    public ValueTask CloseAsync() => _keeper.DisposeAsync();
}
