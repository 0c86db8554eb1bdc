using System.Text;
using Recipes.Testing.Xunit;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>Every operation and create mode against a real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class OperationTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task Create_modes_give_the_expected_nodes()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("modes"));

        var persistent = await client.CreateAsync("/p", "d"u8.ToArray());
        Assert.Equal("/p", persistent.Path);
        Assert.Equal(0, persistent.Stat.EphemeralOwner);

        var ephemeral = await client.CreateAsync("/e", null, CreateMode.Ephemeral);
        Assert.Equal(client.SessionId, ephemeral.Stat.EphemeralOwner);

        var seq1 = await client.CreateAsync("/p/s-", null, CreateMode.PersistentSequential);
        var seq2 = await client.CreateAsync("/p/s-", null, CreateMode.EphemeralSequential);
        Assert.Matches(@"^/p/s-\d{10}$", seq1.Path);
        Assert.True(string.CompareOrdinal(seq1.Path, seq2.Path) < 0);
        Assert.Equal(client.SessionId, seq2.Stat.EphemeralOwner);

        var container = await client.CreateAsync("/c", null, CreateMode.Container);
        Assert.Equal("/c", container.Path);

        var ttl = await client.CreateAsync("/t", null, CreateMode.PersistentWithTtl, ttl: 60_000);
        Assert.Equal("/t", ttl.Path);
        var ttlSeq = await client.CreateAsync("/t-", null, CreateMode.PersistentSequentialWithTtl, ttl: 60_000);
        Assert.Matches(@"^/t-\d{10}$", ttlSeq.Path);

        await Assert.ThrowsAsync<NodeExistsException>(() => client.CreateAsync("/p", null));
        var missingParent = await Assert.ThrowsAsync<NoNodeException>(() => client.CreateAsync("/missing/child", null));
        Assert.Equal("/missing/child", missingParent.Path);
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => client.CreateAsync("/e/child", null));
    }

    [Fact]
    public async Task Data_round_trips_with_null_empty_and_large_values_and_versions_are_checked()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("data"));
        await client.CreateAsync("/null", null);
        await client.CreateAsync("/empty", []);
        Assert.Null((await client.GetDataAsync("/null")).Data);
        Assert.Equal(Array.Empty<byte>(), (await client.GetDataAsync("/empty")).Data);

        var big = new byte[1_000_000];
        Random.Shared.NextBytes(big);
        await client.CreateAsync("/big", big);
        Assert.Equal(big, (await client.GetDataAsync("/big")).Data);

        var stat = await client.SetDataAsync("/null", "v1"u8.ToArray(), version: 0);
        Assert.Equal(1, stat.Version);
        await Assert.ThrowsAsync<BadVersionException>(() => client.SetDataAsync("/null", "v2"u8.ToArray(), version: 0));
        await Assert.ThrowsAsync<BadVersionException>(() => client.DeleteAsync("/null", version: 0));
        await client.DeleteAsync("/null", version: 1);
        Assert.Null(await client.ExistsAsync("/null"));
        await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync("/null"));
    }

    [Fact]
    public async Task Children_counts_ephemerals_sync_and_whoami()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("children"));
        await client.CreateAsync("/a", null);
        await client.CreateAsync("/a/b", null);
        await client.CreateAsync("/a/b/c", null);
        await client.CreateAsync("/a/e", null, CreateMode.Ephemeral);

        var children = await client.GetChildrenAsync("/a");
        Assert.Equal(["b", "e"], children.Children.Order(StringComparer.Ordinal));
        Assert.Equal(2, children.Stat.NumChildren);
        Assert.Equal(3, await client.GetAllChildrenNumberAsync("/a"));
        Assert.Equal(["/a/e"], await client.GetEphemeralsAsync("/"));
        Assert.Equal(["/a/e"], await client.GetEphemeralsAsync("/a/"));
        await client.SyncAsync("/a");
        Assert.Contains(await client.WhoAmIAsync(), i => i.Scheme == "ip");
        await Assert.ThrowsAsync<NotEmptyException>(() => client.DeleteAsync("/a/b"));
    }

    [Fact]
    public async Task Multi_applies_all_or_nothing_with_per_operation_results()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("multi"));
        await client.CreateAsync("/x", "0"u8.ToArray());

        var results = await client.MultiAsync(
        [
            Op.Check("/x", 0),
            Op.Create("/y", null),
            Op.SetData("/x", "1"u8.ToArray(), 0),
            Op.Create("/c", null, CreateMode.Container),
        ]);
        Assert.IsType<CheckOpResult>(results[0]);
        Assert.Equal("/y", Assert.IsType<CreateOpResult>(results[1]).Path);
        Assert.Equal(1, Assert.IsType<SetDataOpResult>(results[2]).Stat.Version);
        Assert.NotNull(Assert.IsType<CreateOpResult>(results[3]).Stat);

        var failure = await Assert.ThrowsAsync<MultiException>(() => client.MultiAsync(
        [
            Op.Create("/z", null),
            Op.Delete("/missing"),
            Op.SetData("/x", "2"u8.ToArray()),
        ]));
        Assert.Equal(1, failure.FailedIndex);
        Assert.Equal(ErrorCode.NoNode, failure.Code);
        Assert.Equal("/missing", failure.Path);
        Assert.Equal([ErrorCode.Ok, ErrorCode.NoNode, ErrorCode.RuntimeInconsistency], failure.Results.Select(r => r.Code));
        Assert.Null(await client.ExistsAsync("/z"));
        Assert.Equal("1", Encoding.UTF8.GetString((await client.GetDataAsync("/x")).Data!));
    }

    [Fact]
    public async Task Bad_input_fails_with_a_clear_error_before_anything_is_sent()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("badinput"));
        var path = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync("no-slash", null));
        Assert.Contains("must start with '/'", path.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetDataAsync("/a//b"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ExistsAsync("/a/"));
        var size = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync("/huge", new byte[2_000_000]));
        Assert.Contains("jute.maxbuffer", size.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.CreateAsync("/ttl", null, CreateMode.PersistentWithTtl, ttl: 0));

        // The connection is still healthy afterwards.
        Assert.Equal(ZooKeeperState.Connected, client.State);
        await client.CreateAsync("/ok", null);
    }

    [Fact]
    public async Task Chroot_is_applied_to_requests_and_stripped_from_results_and_events()
    {
        var root = zk.NewRoot("chroot");
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, root);
        await using var raw = await Clients.ConnectAsync(zk.ConnectionString);
        var events = Clients.Collect();
        await client.GetChildrenAsync("/", events);

        var created = await client.CreateAsync("/s-", null, CreateMode.EphemeralSequential);
        Assert.StartsWith("/s-", created.Path, StringComparison.Ordinal);
        Assert.NotNull(await raw.ExistsAsync(root + created.Path));
        var e = await events.NextAsync();
        Assert.Equal(new WatchedEvent(EventType.NodeChildrenChanged, KeeperState.SyncConnected, "/"), e);

        var multi = await client.MultiAsync([Op.Create("/m", null)]);
        Assert.Equal("/m", Assert.IsType<CreateOpResult>(multi[0]).Path);
        Assert.Equal([created.Path], await client.GetEphemeralsAsync());
    }

    [Fact]
    public async Task Pipelined_requests_complete_in_order_with_their_own_results()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("pipeline"));
        var creates = Enumerable.Range(0, 500).Select(i => client.CreateAsync($"/n{i}", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        await Task.WhenAll(creates);
        var reads = Enumerable.Range(0, 500).Select(i => client.GetDataAsync($"/n{i}")).ToList();
        var results = await Task.WhenAll(reads);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(results[i].Data!));
        }
    }
}
