using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

/// <summary>HttpClient requests to http://&lt;service&gt;/... reach live in-test HTTP servers through the discovery handler.</summary>
[Collection(DiscoveryCollection.Name)]
public sealed class HttpClientTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Requests_reach_live_instances_and_fail_over_when_one_goes_away()
    {
        var root = zk.NewRoot(nameof(Requests_reach_live_instances_and_fail_over_when_one_goes_away));
        var logging = Logging(output, "http");
        await using var connection = await ConnectAsync(zk.ConnectionString, root, logging);
        await using var registrar = new ServiceDiscovery(connection);
        var a = TestHttpServer.Start("A");
        await using var b = TestHttpServer.Start("B");
        await registrar.RegisterAsync(Instance("orders", "a", a.Port));
        await registrar.RegisterAsync(Instance("orders", "b", b.Port));
        await using var services = Services(connection, logging);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await http.GetStringAsync(new Uri("http://orders/api/items?x=1")));
        }

        Assert.Equal(["A GET /api/items?x=1", "B GET /api/items?x=1", "A GET /api/items?x=1", "B GET /api/items?x=1"], answers);

        // A crashes without unregistering: its node stays, but requests fail over to B and A is soon counted down.
        await a.DisposeAsync();
        for (var i = 0; i < 6; i++)
        {
            Assert.StartsWith("B GET /api", await http.GetStringAsync(new Uri("http://orders/api")), StringComparison.Ordinal);
        }

        var provider = await services.GetRequiredService<ServiceDiscovery>().GetProviderAsync("orders");
        Assert.True(provider.IsDown(provider.Cache.Instances.Single(i => i.Id == "a")));

        // A POST carries its body to the instance.
        var posted = await http.PostAsync(new Uri("http://orders/submit"), new StringContent("payload"));
        Assert.StartsWith("B POST /submit", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // B goes away properly: once the cache has dropped it, nothing is left to try.
        await registrar.UnregisterAsync(Instance("orders", "b", b.Port));
        await WithinAsync(provider.Cache.WaitForAsync(l => l.All(i => i.Id != "b"), CancellationToken.None), "b leaves the cache");
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(new Uri("http://orders/api")));
        Assert.Contains("'orders'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_instance_takes_requests_once_registered()
    {
        var root = zk.NewRoot(nameof(A_new_instance_takes_requests_once_registered));
        var logging = Logging(output, "http");
        await using var connection = await ConnectAsync(zk.ConnectionString, root, logging);
        await using var registrar = new ServiceDiscovery(connection);
        await using var services = Services(connection, logging);
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(new Uri("http://orders/")));

        await using var c = TestHttpServer.Start("C");
        await registrar.RegisterAsync(Instance("orders", "c", c.Port));
        var provider = await services.GetRequiredService<ServiceDiscovery>().GetProviderAsync("orders");
        await WithinAsync(provider.Cache.WaitForAsync(l => l.Count == 1, CancellationToken.None), "c is cached");
        Assert.Equal("C GET /", await http.GetStringAsync(new Uri("http://orders/")));
    }

    private static ServiceProvider Services(IZooKeeperConnection connection, ILoggerFactory logging)
    {
        var services = new ServiceCollection();
        services.AddSingleton(logging);
        services.AddLogging();
        services.AddSingleton(connection);
        services.AddHttpClient("orders").AddZooKeeperDiscovery();
        return services.BuildServiceProvider();
    }
}
