using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Nodes;

[Collection(NodesCollection.Name)]
public sealed class ZooKeeperConnectionPathExtensionsTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task EnsurePathCreatesMissingNodesAsEmptyContainers()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(EnsurePathCreatesMissingNodesAsEmptyContainers));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await check.CreateAsync("/a", [1], CreateMode.Persistent);

        await connection.EnsurePathAsync("/a/b/c", CancellationToken.None);
        await connection.EnsurePathAsync("/a/b/c", CancellationToken.None);

        var c = await check.GetDataAsync("/a/b/c");
        Assert.Empty(c.Data ?? []);
        Assert.Equal([1], (await check.GetDataAsync("/a")).Data);

        // Containers: a child comes and goes, and the server reaps the empty containers (but not the persistent /a).
        await check.CreateAsync("/a/b/c/child", null, CreateMode.Persistent);
        await check.DeleteAsync("/a/b/c/child");
        await NodeTestKit.EventuallyAsync(async () => await check.ExistsAsync("/a/b") is null, "the containers to be reaped");
        Assert.NotNull(await check.ExistsAsync("/a"));
    }

    [Fact]
    public async Task CreateWithParentsCreatesTheParentsOnlyWhenNeeded()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(CreateWithParentsCreatesTheParentsOnlyWhenNeeded));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);

        var deep = await connection.CreateWithParentsAsync("/x/y/node", [2], CreateMode.Persistent, CancellationToken.None);
        var sequential = await connection.CreateWithParentsAsync("/x/y/seq-", null, CreateMode.EphemeralSequential, CancellationToken.None);

        Assert.Equal("/x/y/node", deep.Path);
        Assert.Equal([2], (await check.GetDataAsync("/x/y/node")).Data);
        Assert.Matches(@"^/x/y/seq-\d{10}$", sequential.Path);
        Assert.Equal(connection.CurrentSession!.SessionId, sequential.Stat.EphemeralOwner);
        await Assert.ThrowsAsync<NodeExistsException>(() => connection.CreateWithParentsAsync("/x/y/node", null, CreateMode.Persistent, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => connection.CreateWithParentsAsync("/x/ttl", null, CreateMode.PersistentWithTtl, CancellationToken.None));
    }
}
