using Microsoft.Extensions.Time.Testing;
using Recipes.Discovery.Internal;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

[Collection(DiscoveryCollection.Name)]
public sealed class ProviderTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private static readonly ServiceInstance[] Three = [Instance("s", "a", 1), Instance("s", "b", 2), Instance("s", "c", 3)];

    [Fact]
    public void Round_robin_takes_each_instance_in_turn()
    {
        var strategy = new RoundRobinStrategy();
        var picked = Enumerable.Range(0, 9).Select(_ => strategy.Select(Three)!.Id).ToArray();
        Assert.Equal(["a", "b", "c", "a", "b", "c", "a", "b", "c"], picked);
        Assert.Null(strategy.Select([]));
    }

    [Fact]
    public void Random_reaches_every_instance_roughly_evenly()
    {
        var strategy = new RandomStrategy();
        var counts = Enumerable.Range(0, 3000).Select(_ => strategy.Select(Three)!.Id).CountBy(id => id).ToDictionary();
        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 800, 1200)); // expected 1000 each; 800..1200 is > 9 sigma
        Assert.Null(strategy.Select([]));
    }

    [Fact]
    public void Sticky_keeps_its_instance_until_it_is_gone()
    {
        var strategy = new StickyStrategy();
        var first = strategy.Select(Three)!;
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Same(first, strategy.Select(Three)));
        Assert.Equal(1, strategy.InstanceNumber);
        var next = strategy.Select(Three.Where(i => i.Id != first.Id).ToList())!;
        Assert.NotEqual(first.Id, next.Id);
        Assert.Equal(2, strategy.InstanceNumber);
        Assert.Same(next, strategy.Select(Three));
    }

    [Fact]
    public void Instance_is_down_after_threshold_errors_until_the_timeout_from_its_first_error()
    {
        var clock = new FakeTimeProvider();
        var tracker = new DownInstanceTracker(new DownInstancePolicy { ErrorThreshold = 2, Timeout = TimeSpan.FromSeconds(10) }, clock);
        var a = Three[0];
        tracker.NoteError(a);
        Assert.False(tracker.IsDown(a));
        clock.Advance(TimeSpan.FromSeconds(4));
        tracker.NoteError(a);
        Assert.True(tracker.IsDown(a));
        Assert.False(tracker.IsDown(Three[1]));
        clock.Advance(TimeSpan.FromSeconds(6)); // 10 s after the first error
        Assert.False(tracker.IsDown(a));

        // Errors further apart than the timeout never add up.
        tracker.NoteError(a);
        clock.Advance(TimeSpan.FromSeconds(11));
        tracker.NoteError(a);
        Assert.False(tracker.IsDown(a));
    }

    [Fact]
    public async Task Provider_hands_out_live_enabled_up_instances_by_strategy()
    {
        var root = zk.NewRoot(nameof(Provider_hands_out_live_enabled_up_instances_by_strategy));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "A");
        await using var discovery = new ServiceDiscovery(connection);
        foreach (var instance in Three)
        {
            await discovery.RegisterAsync(instance);
        }

        await discovery.RegisterAsync(new ServiceInstance { Name = "s", Id = "d", Address = "127.0.0.1", Port = 4, Enabled = false });
        await using var provider = discovery.CreateProvider("s", new ServiceInstanceProviderOptions
        {
            DownInstancePolicy = new DownInstancePolicy { ErrorThreshold = 1, Timeout = TimeSpan.FromMinutes(5) },
        });
        await provider.StartAsync(CancellationToken.None);
        Assert.Equal(4, provider.Cache.Instances.Count);
        Assert.Equal(["a", "b", "c", "a", "b", "c"], Enumerable.Range(0, 6).Select(_ => provider.GetInstance()!.Id));

        provider.NoteError(provider.GetAllInstances().Single(i => i.Id == "b"));
        Assert.Equal(["a", "c"], provider.GetAllInstances().Select(i => i.Id));
        Assert.DoesNotContain("b", Enumerable.Range(0, 6).Select(_ => provider.GetInstance()!.Id));

        await discovery.UnregisterAsync(Three[0]);
        await discovery.UnregisterAsync(Three[2]);
        await WithinAsync(provider.Cache.WaitForAsync(l => l.Count == 2, CancellationToken.None), "a and c go");
        Assert.Null(provider.GetInstance()); // b is down and d disabled
    }

    [Fact]
    public async Task Shared_providers_are_one_per_service_and_started()
    {
        var root = zk.NewRoot(nameof(Shared_providers_are_one_per_service_and_started));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "A");
        await using var discovery = new ServiceDiscovery(connection, new ServiceDiscoveryOptions { Provider = { Selection = InstanceSelection.Sticky } });
        await discovery.RegisterAsync(Three[1]);
        var first = await discovery.GetProviderAsync("s");
        Assert.Same(first, await discovery.GetProviderAsync("s"));
        Assert.IsType<StickyStrategy>(first.Strategy);
        Assert.Equal("b", first.GetInstance()!.Id);
    }
}
