using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recipes.Discovery.Internal;

namespace Recipes.Discovery.Hosting;

/// <summary>
/// Registers this application once the host has started (so an ASP.NET Core server's bound URLs are known) and
/// unregisters it as soon as the host begins stopping (before the server stops taking requests). A failed
/// registration is logged and retried in the background; it does not stop the host.
/// </summary>
internal sealed class ServiceRegistrationHostedService(
    ServiceDiscovery discovery,
    ServiceRegistrationOptions options,
    IServiceProvider services,
    ILogger<ServiceRegistrationHostedService> logger) : IHostedLifecycleService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _registering = Task.CompletedTask;
    private ServiceInstance? _instance;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        _instance = BuildInstance();
        if (!await TryRegisterAsync(_instance, cancellationToken))
        {
            _registering = RetryAsync(_instance, _stopping.Token);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _registering.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        if (_instance is not null)
        {
            try
            {
                await discovery.UnregisterAsync(_instance, cancellationToken);
                logger.LogInformation("Unregistered {Instance}.", _instance);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Unregistering {Instance} failed; its node goes with the session (dynamic) or stays (static, permanent).", _instance);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }

    internal ServiceInstance BuildInstance()
    {
        var bound = ServerAddresses.Read(services).Select(ServerAddresses.Parse).OfType<(string Scheme, string? Host, int Port)>().ToList();
        var http = bound.FirstOrDefault(b => b.Scheme == "http");
        var https = bound.FirstOrDefault(b => b.Scheme == "https");
        var port = options.Port ?? (http.Scheme is null ? null : http.Port);
        var sslPort = options.SslPort ?? (https.Scheme is null ? null : https.Port);
        var address = options.Address ?? bound.Select(b => b.Host).FirstOrDefault(h => h is not null) ?? ServerAddresses.LocalAddress();
        if (port is null && sslPort is null)
        {
            logger.LogWarning(
                "Registering service '{Service}' without a port: none is configured (ServiceRegistrationOptions.Port/SslPort) and no bound server URL was found.",
                options.ServiceName);
        }

        return new ServiceInstance
        {
            Name = options.ServiceName,
            Id = options.InstanceId,
            Address = address,
            Port = port,
            SslPort = sslPort,
            Payload = options.Payload.Count == 0 ? null : new Dictionary<string, string>(options.Payload, StringComparer.Ordinal),
            ServiceType = options.ServiceType,
            UriSpec = options.UriSpec is null ? null : new UriSpec(options.UriSpec),
        };
    }

    private async Task<bool> TryRegisterAsync(ServiceInstance instance, CancellationToken cancellationToken)
    {
        try
        {
            var path = await discovery.RegisterAsync(instance, cancellationToken);
            logger.LogInformation("Registered {Instance} at '{Path}' (port {Port}, SSL port {SslPort}).", instance, path, ServerAddresses.Text(instance.Port), ServerAddresses.Text(instance.SslPort));
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Registering {Instance} failed; trying again every {Delay} in the background.", instance, options.RetryDelay);
            return false;
        }
    }

    private async Task RetryAsync(ServiceInstance instance, CancellationToken stopping)
    {
        try
        {
            do
            {
                await Task.Delay(options.RetryDelay, stopping);
            }
            while (!await TryRegisterAsync(instance, stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
