using System.Text;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

[Collection(DiscoveryCollection.Name)]
public sealed class ServiceCacheTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Cache_follows_registrations_updates_and_unregistrations()
    {
        var root = zk.NewRoot(nameof(Cache_follows_registrations_updates_and_unregistrations));
        await using var a = await ConnectAsync(zk.ConnectionString, root, output, "registrar");
        await using var b = await ConnectAsync(zk.ConnectionString, root, output, "reader");
        await using var registrar = new ServiceDiscovery(a);
        await using var reader = new ServiceDiscovery(b);
        await registrar.RegisterAsync(Instance("orders", "o-1", 1));
        await using var cache = reader.CreateCache("orders");
        var events = new List<string>();
        cache.Changed += (_, e) =>
        {
            lock (events)
            {
                events.Add($"{e.Kind} {e.NodeName} {e.Instance.Port}");
            }
        };
        await cache.StartAsync(CancellationToken.None);
        Assert.Equal("o-1", Assert.Single(cache.Instances).Id);

        await registrar.RegisterAsync(Instance("orders", "o-2", 2));
        await WithinAsync(cache.WaitForAsync(l => l.Count == 2, CancellationToken.None), "o-2 appears");
        await registrar.UpdateAsync(Instance("orders", "o-1", 11));
        await WithinAsync(cache.WaitForAsync(l => l.Any(i => i.Port == 11), CancellationToken.None), "o-1's update arrives");
        await registrar.UnregisterAsync(Instance("orders", "o-2", 2));
        var last = await WithinAsync(cache.WaitForAsync(l => l.Count == 1, CancellationToken.None), "o-2 goes");
        Assert.Equal(11, last[0].Port);
        lock (events)
        {
            Assert.Equal(["Added o-1 1", "Added o-2 2", "Updated o-1 11", "Removed o-2 2"], events);
        }
    }

    [Fact]
    public async Task Cache_catches_up_with_changes_made_during_a_partition()
    {
        var root = zk.NewRoot(nameof(Cache_catches_up_with_changes_made_during_a_partition));
        await using var proxy = StartProxy(zk);
        await using var a = await ConnectAsync(zk.ConnectionString, root, output, "registrar");
        await using var b = await ConnectAsync(proxy.ConnectionString, root, output, "reader");
        await using var registrar = new ServiceDiscovery(a);
        await using var reader = new ServiceDiscovery(b);
        await registrar.RegisterAsync(Instance("orders", "stays", 1));
        await registrar.RegisterAsync(Instance("orders", "goes", 2));
        await registrar.RegisterAsync(Instance("orders", "changes", 3));
        await using var cache = reader.CreateCache("orders");
        await cache.StartAsync(CancellationToken.None);
        Assert.Equal(3, cache.Instances.Count);

        var suspended = NextStateAsync(b, Core.ConnectionState.Suspended);
        proxy.Mode = FaultMode.Blackhole;
        await registrar.UnregisterAsync(Instance("orders", "goes", 2));
        await registrar.UpdateAsync(Instance("orders", "changes", 33));
        await registrar.RegisterAsync(Instance("orders", "new", 4));
        Assert.Equal(3, cache.Instances.Count); // blind while partitioned
        await WithinAsync(suspended, "the reader notices the partition"); // the proxy drops, so the client must see the break
        proxy.Heal();

        var seen = await WithinAsync(
            cache.WaitForAsync(l => string.Join(",", l.Select(i => $"{i.Id}:{i.Port}")) == "changes:33,new:4,stays:1", CancellationToken.None),
            "the cache reflects every change made while it was partitioned");
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public async Task Malformed_instance_node_is_skipped_with_a_log_and_the_cache_keeps_working()
    {
        var root = zk.NewRoot(nameof(Malformed_instance_node_is_skipped_with_a_log_and_the_cache_keeps_working));
        var captured = new CapturingLoggerProvider();
        await using var a = await ConnectAsync(zk.ConnectionString, root, Logging(output, "reader", captured));
        await using var discovery = new ServiceDiscovery(a);
        await using var raw = await RawAsync(zk, root);
        await discovery.RegisterAsync(Instance("orders", "good", 1));
        await raw.CreateAsync("/services/orders/broken", Encoding.UTF8.GetBytes("{\"name\":\"orders\",\"id\":"), CreateMode.Persistent);

        await using var cache = discovery.CreateCache("orders");
        await cache.StartAsync(CancellationToken.None);
        Assert.Equal("good", Assert.Single(cache.Instances).Id);
        Assert.Contains(captured.Messages, m => m.Contains("'/services/orders/broken'", StringComparison.Ordinal) && m.Contains("not valid JSON", StringComparison.Ordinal));
        Assert.Equal(["good"], (await discovery.QueryForInstancesAsync("orders")).Select(i => i.Id));

        // A good instance that turns bad counts as removed; a bad one that turns good is added.
        await raw.SetDataAsync("/services/orders/good", "not json"u8.ToArray());
        await WithinAsync(cache.WaitForAsync(l => l.Count == 0, CancellationToken.None), "the spoiled instance is dropped");
        await raw.SetDataAsync("/services/orders/broken", ServiceInstanceSerializer.Serialize(Instance("orders", "broken", 5)));
        var fixedList = await WithinAsync(cache.WaitForAsync(l => l.Count == 1, CancellationToken.None), "the repaired instance appears");
        Assert.Equal(5, fixedList[0].Port);
    }
}
