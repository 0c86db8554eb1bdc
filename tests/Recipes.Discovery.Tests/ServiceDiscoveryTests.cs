using System.Text;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

[Collection(DiscoveryCollection.Name)]
public sealed class ServiceDiscoveryTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Register_query_update_unregister()
    {
        var root = zk.NewRoot(nameof(Register_query_update_unregister));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "A");
        await using var discovery = new ServiceDiscovery(connection);
        await using var raw = await RawAsync(zk, root);

        var instance = Instance("orders", "o-1", 8080, payload: new Dictionary<string, string> { ["zone"] = "eu" });
        var path = await discovery.RegisterAsync(instance);
        Assert.Equal("/services/orders/o-1", path);
        var stat = await raw.ExistsAsync(path);
        Assert.NotNull(stat);
        Assert.Equal(connection.CurrentSession!.SessionId, stat.EphemeralOwner);
        Assert.Equal(ServiceInstanceSerializer.Serialize(instance), (await raw.GetDataAsync(path)).Data);
        await discovery.RegisterAsync(Instance("billing", "b-1", 9090));

        Assert.Equal(["billing", "orders"], await discovery.QueryForNamesAsync());
        var found = Assert.Single(await discovery.QueryForInstancesAsync("orders"));
        Assert.Equal(("o-1", "127.0.0.1", 8080, "eu"), (found.Id, found.Address, found.Port, found.Payload!["zone"]));
        Assert.Equal(8080, (await discovery.QueryForInstanceAsync("orders", "o-1"))!.Port);
        Assert.Null(await discovery.QueryForInstanceAsync("orders", "nope"));
        Assert.Empty(await discovery.QueryForInstancesAsync("nothing"));

        var updated = Instance("orders", "o-1", 8081);
        await discovery.UpdateAsync(updated);
        Assert.Equal(8081, (await discovery.QueryForInstanceAsync("orders", "o-1"))!.Port);

        await discovery.UnregisterAsync(updated);
        Assert.Null(await raw.ExistsAsync(path));
        Assert.Empty(await discovery.QueryForInstancesAsync("orders"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => discovery.UpdateAsync(updated));
    }

    [Fact]
    public async Task Registering_the_same_id_again_updates_it_in_place()
    {
        var root = zk.NewRoot(nameof(Registering_the_same_id_again_updates_it_in_place));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "A");
        await using var discovery = new ServiceDiscovery(connection);
        await using var raw = await RawAsync(zk, root);

        await discovery.RegisterAsync(Instance("orders", "o-1", 1));
        var czxid = (await raw.ExistsAsync("/services/orders/o-1"))!.Czxid;
        await discovery.RegisterAsync(Instance("orders", "o-1", 2));
        var stat = (await raw.ExistsAsync("/services/orders/o-1"))!;
        Assert.Equal(czxid, stat.Czxid);
        Assert.Equal(2, (await discovery.QueryForInstanceAsync("orders", "o-1"))!.Port);
        await Assert.ThrowsAsync<InvalidOperationException>(() => discovery.RegisterAsync(Instance("orders", "o-1", 3, ServiceType.Static)));
    }

    [Fact]
    public async Task Service_types_map_to_Curators_create_modes_and_disposal_keeps_only_permanent_nodes()
    {
        var root = zk.NewRoot(nameof(Service_types_map_to_Curators_create_modes_and_disposal_keeps_only_permanent_nodes));
        await using var raw = await RawAsync(zk, root);
        string sequentialPath;
        await using (var connection = await ConnectAsync(zk.ConnectionString, root, output, "A"))
        {
            await using var discovery = new ServiceDiscovery(connection, new ServiceDiscoveryOptions { BasePath = "/disco" });
            await discovery.RegisterAsync(Instance("svc", "dyn", 1));
            await discovery.RegisterAsync(Instance("svc", "static", 2, ServiceType.Static));
            await discovery.RegisterAsync(Instance("svc", "perm", 3, ServiceType.Permanent));
            sequentialPath = await discovery.RegisterAsync(Instance("svc", "seq-", 4, ServiceType.DynamicSequential));

            var session = connection.CurrentSession!.SessionId;
            Assert.Equal(session, (await raw.ExistsAsync("/disco/svc/dyn"))!.EphemeralOwner);
            Assert.Equal(0, (await raw.ExistsAsync("/disco/svc/static"))!.EphemeralOwner);
            Assert.Equal(0, (await raw.ExistsAsync("/disco/svc/perm"))!.EphemeralOwner);
            Assert.Matches("^/disco/svc/seq-[0-9]{10}$", sequentialPath);
            Assert.Equal(session, (await raw.ExistsAsync(sequentialPath))!.EphemeralOwner);

            // The JSON id of a sequential instance stays unsuffixed, as Curator writes it.
            var json = Encoding.UTF8.GetString((await raw.GetDataAsync(sequentialPath)).Data!);
            Assert.Contains("\"id\":\"seq-\"", json, StringComparison.Ordinal);
            Assert.Contains("\"serviceType\":\"DYNAMIC_SEQUENTIAL\"", json, StringComparison.Ordinal);
        }

        Assert.Equal(["perm"], await ChildrenAsync(raw, "/disco/svc"));
    }

    [Fact]
    public async Task Unregistering_a_permanent_instance_deletes_it()
    {
        var root = zk.NewRoot(nameof(Unregistering_a_permanent_instance_deletes_it));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "A");
        await using var discovery = new ServiceDiscovery(connection);
        var perm = Instance("svc", "perm", 3, ServiceType.Permanent);
        await discovery.RegisterAsync(perm);
        await discovery.UnregisterAsync(perm);
        Assert.Empty(await discovery.QueryForInstancesAsync("svc"));
    }

    [Fact]
    public async Task A_deleted_static_instance_is_written_again_after_a_reconnection()
    {
        var root = zk.NewRoot(nameof(A_deleted_static_instance_is_written_again_after_a_reconnection));
        await using var proxy = StartProxy(zk);
        await using var connection = await ConnectAsync(proxy.ConnectionString, root, output, "A");
        await using var discovery = new ServiceDiscovery(connection);
        await using var raw = await RawAsync(zk, root);
        await discovery.RegisterAsync(Instance("svc", "static", 2, ServiceType.Static));
        await discovery.UpdateAsync(Instance("svc", "static", 5, ServiceType.Static));
        await raw.DeleteAsync("/services/svc/static");

        proxy.Reset(); // drops the connection; the session survives and reconnects
        await EventuallyAsync(async () => await raw.ExistsAsync("/services/svc/static") is not null, "the static node is written again");
        Assert.Equal(5, ServiceInstanceSerializer.Deserialize((await raw.GetDataAsync("/services/svc/static")).Data).Port);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("..")]
    public async Task Bad_names_are_rejected_before_anything_is_sent(string name)
    {
        var root = zk.NewRoot(nameof(Bad_names_are_rejected_before_anything_is_sent));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "A");
        await using var discovery = new ServiceDiscovery(connection);
        await Assert.ThrowsAsync<ArgumentException>(() => discovery.RegisterAsync(Instance(name, "x", 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => discovery.RegisterAsync(Instance("ok", name, 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => discovery.QueryForInstancesAsync(name));
        Assert.Throws<ArgumentException>(() => new ServiceDiscovery(connection, new ServiceDiscoveryOptions { BasePath = "services/" }));
        Assert.Empty(await discovery.QueryForNamesAsync());
    }
}
