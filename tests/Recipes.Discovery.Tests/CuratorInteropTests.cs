using System.Text;
using Recipes.Testing.Interop;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

/// <summary>Java Curator 5.4's ServiceDiscovery and ours on one server: each sees the other's instances, field for field.</summary>
[Collection(DiscoveryCollection.Name)]
public sealed class CuratorInteropTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [CuratorInteropFact]
    public async Task Curator_sees_our_instances_with_every_field()
    {
        var root = zk.NewRoot(nameof(Curator_sees_our_instances_with_every_field));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "dotnet");
        await using var discovery = new ServiceDiscovery(connection);
        var ours = new ServiceInstance
        {
            Name = "orders",
            Id = "net-1",
            Address = "10.0.0.7",
            Port = 8080,
            SslPort = 8443,
            Payload = new Dictionary<string, string> { ["zone"] = "eu-west", ["weight"] = "3" },
            RegistrationTimeUtc = DateTimeOffset.FromUnixTimeMilliseconds(1700000000123),
            UriSpec = new UriSpec("{scheme}://{address}:{ssl-port}/api"),
        };
        await discovery.RegisterAsync(ours);
        var sequential = await discovery.RegisterAsync(new ServiceInstance { Name = "orders", Id = "seq-", Address = "10.0.0.8", Port = 1, ServiceType = ServiceType.DynamicSequential });
        await discovery.RegisterAsync(new ServiceInstance { Name = "orders", Id = "perm", Address = "10.0.0.9", Port = 2, ServiceType = ServiceType.Permanent });

        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString + root);

        // queryForInstances reads (and would fail on) every instance; ids are the JSON ids (unsuffixed for sequential ones).
        Assert.Equal("instances net-1 perm seq-", await curator.SendAsync("instances /services orders"));

        // What Curator read, written back by its own JsonInstanceSerializer, is our instance field for field.
        var answer = await curator.SendAsync("instancejson /services orders net-1");
        output.WriteLine(answer);
        var json = answer["instancejson ".Length..];
        Assert.StartsWith("{\"name\":\"orders\",\"id\":\"net-1\",\"address\":\"10.0.0.7\",\"port\":8080,\"sslPort\":8443,\"payload\":{\"@class\":\"java.util.HashMap\",", json, StringComparison.Ordinal);
        var seen = ServiceInstanceSerializer.Deserialize(Encoding.UTF8.GetBytes(json));
        Assert.Equal(ours.Payload.OrderBy(p => p.Key), seen.Payload!.OrderBy(p => p.Key));
        Assert.Equal((ours.RegistrationTimeUtc, ours.ServiceType, "https://10.0.0.7:8443/api"), (seen.RegistrationTimeUtc, seen.ServiceType, seen.BuildUri()));
        Assert.EndsWith("\"registrationTimeUTC\":1700000000123,\"serviceType\":\"DYNAMIC\",\"uriSpec\":{\"parts\":[{\"value\":\"scheme\",\"variable\":true},{\"value\":\"://\",\"variable\":false},{\"value\":\"address\",\"variable\":true},{\"value\":\":\",\"variable\":false},{\"value\":\"ssl-port\",\"variable\":true},{\"value\":\"/api\",\"variable\":false}]}}", json, StringComparison.Ordinal);

        var node = sequential[(sequential.LastIndexOf('/') + 1)..];
        Assert.Contains("\"serviceType\":\"DYNAMIC_SEQUENTIAL\"", await curator.SendAsync($"instancejson /services orders {node}"), StringComparison.Ordinal);
        Assert.Contains("\"serviceType\":\"PERMANENT\"", await curator.SendAsync("instancejson /services orders perm"), StringComparison.Ordinal);

        await discovery.UnregisterAsync(ours);
        Assert.Equal("instances perm seq-", await curator.SendAsync("instances /services orders"));
    }

    [CuratorInteropFact]
    public async Task We_see_Curators_instances_and_write_their_json_back_byte_for_byte()
    {
        var root = zk.NewRoot(nameof(We_see_Curators_instances_and_write_their_json_back_byte_for_byte));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "dotnet");
        await using var discovery = new ServiceDiscovery(connection);
        await using var raw = await RawAsync(zk, root);
        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString + root);
        await using var cache = discovery.CreateCache("billing");
        await cache.StartAsync(CancellationToken.None);

        Assert.Equal("registered java-1", await curator.SendAsync(
            "register /services billing java-1 10.0.0.5 9090 team=payments @sslPort=9443 @uriSpec={scheme}://{address}:{port}/x @time=1700000000000"));
        await curator.SendAsync("register /services billing java-2 10.0.0.6 9091");

        var cached = await WithinAsync(cache.WaitForAsync(l => l.Count == 2, CancellationToken.None), "our cache sees Curator's instances");
        var first = cached.Single(i => i.Id == "java-1");
        Assert.Equal(("billing", "10.0.0.5", 9090, 9443, "payments"), (first.Name, first.Address, first.Port.GetValueOrDefault(), first.SslPort.GetValueOrDefault(), first.Payload!["team"]));
        Assert.Equal((ServiceType.Dynamic, true, "https://10.0.0.5:9090/x"), (first.ServiceType, first.Enabled, first.BuildUri()));
        Assert.Null(cached.Single(i => i.Id == "java-2").Payload);

        // Curator's bytes and ours for the same instance are identical.
        var curatorBytes = (await raw.GetDataAsync("/services/billing/java-1")).Data!;
        Assert.Equal(Encoding.UTF8.GetString(curatorBytes), Encoding.UTF8.GetString(ServiceInstanceSerializer.Serialize(first)));
        Assert.Equal(["billing"], await discovery.QueryForNamesAsync());

        await curator.SendAsync("unregister /services billing java-1");
        var left = await WithinAsync(cache.WaitForAsync(l => l.Count == 1, CancellationToken.None), "Curator's unregistration reaches our cache");
        Assert.Equal("java-2", left[0].Id);
    }
}
