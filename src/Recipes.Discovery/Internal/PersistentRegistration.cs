using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Discovery.Internal;

/// <summary>
/// A <see cref="ServiceType.Static"/> or <see cref="ServiceType.Permanent"/> instance: a persistent node. After every
/// reconnection it is checked and, if someone deleted it or changed it meanwhile, written again with the latest data (as
/// Curator re-registers, but without deleting and re-creating a node that is already right). Disposal deletes a static
/// node and leaves a permanent one (Curator deletes both: CURATOR-94).
/// </summary>
internal sealed class PersistentRegistration : IRegistration
{
    private readonly IZooKeeperConnection _connection;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _ended = new();
    private ServiceInstance _instance;
    private int _subscribed;

    public PersistentRegistration(IZooKeeperConnection connection, string path, ServiceInstance instance, ILogger logger)
    {
        _connection = connection;
        _path = path;
        _instance = instance;
        _logger = logger;
    }

    public ServiceInstance Instance => Volatile.Read(ref _instance);

    public string? NodePath => _path;

    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await WriteAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The node of service instance {Instance} was not written within {timeout.TotalSeconds:0.#} s (is ZooKeeper reachable?).");
        }

        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            _connection.StateChanged += OnStateChanged;
        }
    }

    public async Task UpdateAsync(ServiceInstance instance, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _instance, instance);
        await WriteAsync(cancellationToken);
    }

    public async Task UnregisterAsync(CancellationToken cancellationToken)
    {
        Stop();
        try
        {
            await _connection.ExecuteAsync(
                async (client, ct) =>
                {
                    await client.DeleteAsync(_path, -1, ct);
                    return true;
                },
                cancellationToken);
        }
        catch (NoNodeException)
        {
            // Already gone.
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Deleting service instance node '{Path}' failed; deleting it in the background.", _path);
            _connection.DeleteGuaranteed(_path);
        }
    }

    public async ValueTask CloseAsync()
    {
        if (Instance.ServiceType == ServiceType.Permanent)
        {
            Stop();
            return;
        }

        await UnregisterAsync(CancellationToken.None);
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _subscribed, 2) == 1)
        {
            _connection.StateChanged -= OnStateChanged;
        }

        _ended.Cancel();
    }

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State != ConnectionState.Reconnected)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await WriteAsync(_ended.Token);
            }
            catch (OperationCanceledException) when (_ended.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Re-writing service instance node '{Path}' after reconnection failed; trying again on the next reconnection.", _path);
            }
        });
    }

    /// <summary>Makes the node exist with the latest data: created if missing, written if different, left alone if right.</summary>
    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var data = ServiceInstanceSerializer.Serialize(Instance);
            var exists = await _connection.ExecuteAsync(
                async (client, ct) =>
                {
                    try
                    {
                        var current = await client.GetDataAsync(_path, null, ct);
                        if (!(current.Data ?? []).AsSpan().SequenceEqual(data))
                        {
                            await client.SetDataAsync(_path, data, -1, ct);
                        }

                        return true;
                    }
                    catch (NoNodeException)
                    {
                        return false;
                    }
                },
                cancellationToken);
            if (exists)
            {
                return;
            }

            try
            {
                await _connection.CreateWithParentsAsync(_path, data, CreateMode.Persistent, cancellationToken);
                _logger.LogDebug("Created service instance node '{Path}'.", _path);
            }
            catch (NodeExistsException)
            {
                // Created meanwhile (our create retried after a lost reply, or another writer): make it hold our data.
                await _connection.ExecuteAsync((client, ct) => client.SetDataAsync(_path, data, -1, ct), cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
