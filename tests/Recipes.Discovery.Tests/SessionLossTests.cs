using System.Collections.Concurrent;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

/// <summary>Registrations through session expiry: gone with the session, back once, with the latest data.</summary>
[Collection(DiscoveryCollection.Name)]
public sealed class SessionLossTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Instance_disappears_with_the_session_and_reappears_once_with_the_latest_data()
    {
        var root = zk.NewRoot(nameof(Instance_disappears_with_the_session_and_reappears_once_with_the_latest_data));
        await using var owner = await ConnectAsync(zk.ConnectionString, root, output, "owner");
        await using var watcher = await ConnectAsync(zk.ConnectionString, root, output, "watcher");
        await using var discovery = new ServiceDiscovery(owner);
        await using var observer = new ServiceDiscovery(watcher);
        await using var raw = await RawAsync(zk, root);

        await discovery.RegisterAsync(Instance("orders", "o-1", 1));
        await discovery.UpdateAsync(Instance("orders", "o-1", 2)); // the data the re-registration must carry (CURATOR-146)
        await using var cache = observer.CreateCache("orders");
        var events = new ConcurrentQueue<ServiceCacheChangedEventArgs>();
        cache.Changed += (_, e) => events.Enqueue(e);
        await cache.StartAsync(CancellationToken.None);
        Assert.Equal(2, Assert.Single(cache.Instances).Port);

        var removed = cache.WaitForAsync(list => list.Count == 0, CancellationToken.None);
        var oldSession = owner.CurrentSession!.SessionId;
        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, owner.CurrentSession.Client);
        await WithinAsync(removed, "the instance disappears with its session");
        var back = await WithinAsync(cache.WaitForAsync(list => list.Count == 1, CancellationToken.None), "the keeper registers it again");
        Assert.Equal(2, back[0].Port);

        await EventuallyAsync(() => owner.CurrentSession is { } s && s.SessionId != oldSession, "a new session");
        var stat = await raw.ExistsAsync("/services/orders/o-1");
        Assert.NotNull(stat);
        Assert.Equal(owner.CurrentSession!.SessionId, stat.EphemeralOwner);
        Assert.Equal(["o-1"], await ChildrenAsync(raw, "/services/orders"));
        Assert.Equal(
            [ServiceCacheChangeKind.Added, ServiceCacheChangeKind.Removed, ServiceCacheChangeKind.Added],
            events.Select(e => e.Kind).ToArray());
    }

    [Fact]
    public async Task Sequential_instance_is_never_duplicated_after_session_loss()
    {
        var root = zk.NewRoot(nameof(Sequential_instance_is_never_duplicated_after_session_loss));
        await using var owner = await ConnectAsync(zk.ConnectionString, root, output, "owner");
        await using var discovery = new ServiceDiscovery(owner);
        await using var raw = await RawAsync(zk, root);
        var first = await discovery.RegisterAsync(Instance("jobs", "worker-", 1, ServiceType.DynamicSequential));

        var oldSession = owner.CurrentSession!.SessionId;
        var oldCzxid = (await raw.ExistsAsync(first))!.Czxid;
        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, owner.CurrentSession.Client);

        // A new node, told by its czxid and owner rather than its name: when the server reaps the emptied "jobs"
        // container before the re-registration, the new parent numbers from 0 again and the name can repeat.
        await EventuallyAsync(
            async () => (await ChildrenAsync(raw, "/services/jobs")) is [var only]
                && await raw.ExistsAsync("/services/jobs/" + only) is { } stat && stat.Czxid != oldCzxid && stat.EphemeralOwner != oldSession,
            "one new sequential node on the new session");

        Assert.Single(await ChildrenAsync(raw, "/services/jobs"));
        Assert.Single(await discovery.QueryForInstancesAsync("jobs"));
    }

    [Fact]
    public async Task Reconnecting_in_the_same_session_leaves_the_sequential_node_alone()
    {
        var root = zk.NewRoot(nameof(Reconnecting_in_the_same_session_leaves_the_sequential_node_alone));
        await using var proxy = StartProxy(zk);
        await using var owner = await ConnectAsync(proxy.ConnectionString, root, output, "owner");
        await using var discovery = new ServiceDiscovery(owner);
        await using var raw = await RawAsync(zk, root);
        var path = await discovery.RegisterAsync(Instance("jobs", "worker-", 1, ServiceType.DynamicSequential));
        var czxid = (await raw.ExistsAsync(path))!.Czxid;
        var session = owner.CurrentSession!.SessionId;

        var reconnected = NextStateAsync(owner, Core.ConnectionState.Reconnected);
        proxy.Reset();
        await WithinAsync(reconnected, "the connection comes back");
        Assert.Equal(session, owner.CurrentSession!.SessionId);
        await discovery.UpdateAsync(Instance("jobs", "worker-", 2, ServiceType.DynamicSequential)); // a round trip after the reconnection
        Assert.Equal([path[(path.LastIndexOf('/') + 1)..]], await ChildrenAsync(raw, "/services/jobs"));
        Assert.Equal(czxid, (await raw.ExistsAsync(path))!.Czxid);
    }
}
