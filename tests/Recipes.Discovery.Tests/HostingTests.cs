using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

[Collection(DiscoveryCollection.Name)]
public sealed class HostingTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Web_app_registers_its_bound_port_on_start_and_unregisters_on_stop()
    {
        var root = zk.NewRoot(nameof(Web_app_registers_its_bound_port_on_start_and_unregisters_on_stop));
        await using var observerConnection = await ConnectAsync(zk.ConnectionString, root, output, "observer");
        await using var observer = new ServiceDiscovery(observerConnection);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new Testing.Xunit.TestOutputLoggerProvider(output, "web"));
        builder.Services.AddZooKeeper(o =>
        {
            o.ConnectionString = zk.ConnectionString;
            o.Namespace = root;
            o.SessionTimeout = SessionTimeout;
        });
        builder.Services.AddZooKeeperServiceRegistration(o =>
        {
            o.ServiceName = "web";
            o.InstanceId = "w-1";
            o.Payload["version"] = "1.2";
        });
        builder.Services.AddHttpClient("web").AddZooKeeperDiscovery();
        await using var app = builder.Build();
        app.MapGet("/ping", () => "pong");
        await app.StartAsync();
        var bound = new Uri(app.Urls.Single()).Port;

        var instance = await observer.QueryForInstanceAsync("web", "w-1");
        Assert.NotNull(instance);
        Assert.Equal(("127.0.0.1", bound, (int?)null, "1.2"), (instance.Address, instance.Port.GetValueOrDefault(), instance.SslPort, instance.Payload!["version"]));

        // The app finds itself through its own discovery handler.
        var http = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("web");
        Assert.Equal("pong", await http.GetStringAsync(new Uri("http://web/ping")));

        await app.StopAsync();
        Assert.Null(await observer.QueryForInstanceAsync("web", "w-1"));
    }

    [Fact]
    public async Task Generic_host_registers_the_configured_endpoint()
    {
        var root = zk.NewRoot(nameof(Generic_host_registers_the_configured_endpoint));
        await using var observerConnection = await ConnectAsync(zk.ConnectionString, root, output, "observer");
        await using var observer = new ServiceDiscovery(observerConnection);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(new Testing.Xunit.TestOutputLoggerProvider(output, "host"));
        builder.Services.AddZooKeeper(o =>
        {
            o.ConnectionString = zk.ConnectionString;
            o.Namespace = root;
        });
        builder.Services.AddZooKeeperDiscovery(o => o.BasePath = "/registry");
        builder.Services.AddZooKeeperServiceRegistration(o =>
        {
            o.ServiceName = "worker";
            o.InstanceId = "k-1";
            o.Address = "10.1.2.3";
            o.SslPort = 8443;
            o.ServiceType = ServiceType.Static;
            o.UriSpec = "{scheme}://{address}:{ssl-port}";
        });
        using var host = builder.Build();
        await host.StartAsync();
        await using var registry = new ServiceDiscovery(observerConnection, new ServiceDiscoveryOptions { BasePath = "/registry" });
        var instance = await registry.QueryForInstanceAsync("worker", "k-1");
        Assert.NotNull(instance);
        Assert.Equal("https://10.1.2.3:8443", instance.BuildUri());
        Assert.Equal(ServiceType.Static, instance.ServiceType);
        await host.StopAsync();
        Assert.Null(await registry.QueryForInstanceAsync("worker", "k-1"));
    }

    [Fact]
    public async Task Invalid_registration_options_stop_the_host_from_starting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddZooKeeper(o => o.ConnectionString = zk.ConnectionString);
        builder.Services.AddZooKeeperServiceRegistration(o => o.ServiceName = "a/b");
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("'a/b'", error.Message, StringComparison.Ordinal);
    }
}
