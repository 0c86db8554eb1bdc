using Moq;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Nodes;

[Collection(NodesCollection.Name)]
public sealed class ProtectedSequentialCreateTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task CreatesACuratorCompatibleNodeWithContainerParents()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(CreatesACuratorCompatibleNodeWithContainerParents));
        await using var client = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var session = NodeTestKit.SessionOf(client);
        var connection = NodeTestKit.MockConnection();
        var parent = root + "/locks/orders";

        var node = await connection.Object.CreateProtectedSequentialAsync(parent, "lock-", [1, 2], session, CancellationToken.None);

        Assert.Matches(NodeTestKit.CuratorLockName, node.Name);
        Assert.Equal(parent + "/" + node.Name, node.Path);
        Assert.Equal(parent, node.ParentPath);
        Assert.Same(session, node.Session);
        var stored = await client.GetDataAsync(node.Path);
        Assert.Equal([1, 2], stored.Data);
        Assert.Equal(session.SessionId, stored.Stat.EphemeralOwner);
        Assert.Equal(stored.Stat.Czxid, node.Czxid);

        // The parents are containers: once the last child goes, the server reaps them.
        await client.DeleteAsync(node.Path);
        await NodeTestKit.EventuallyAsync(async () => await client.ExistsAsync(root + "/locks") is null, "the container parents to be reaped");
    }

    [Fact]
    public async Task AdoptsItsNodeWhenTheCreateReplyIsLost()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(AdoptsItsNodeWhenTheCreateReplyIsLost));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var client = new InterceptingClient(real) { OnCreate = InterceptingClient.LoseFirstReply((_, mode) => mode == CreateMode.EphemeralSequential) };
        var session = NodeTestKit.SessionOf(client);
        var connection = NodeTestKit.MockConnection();

        var node = await connection.Object.CreateProtectedSequentialAsync(root, "lock-", null, session, CancellationToken.None);

        var children = await NodeTestKit.ChildrenAsync(real, root);
        Assert.Equal([node.Name], children);
        Assert.Equal(1, client.CreateCalls);
        Assert.Equal(real.SessionId, (await real.ExistsAsync(node.Path))!.EphemeralOwner);
        connection.Verify(c => c.DeleteGuaranteed(It.IsAny<string>(), It.IsAny<ZooKeeperSession?>()), Times.Never);
    }

    [Fact]
    public async Task NeverAdoptsANodeOfAnotherSessionWithTheSameUuid()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(NeverAdoptsANodeOfAnotherSessionWithTheSameUuid));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var other = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var id = ProtectedNodeName.NewId();
        var foreign = await other.CreateAsync(root + "/" + ProtectedNodeName.Build(id, "lock-"), null, CreateMode.EphemeralSequential);

        // Our first create "fails" with connection loss without reaching the server, so the retry looks for our uuid.
        var client = new InterceptingClient(real)
        {
            OnCreate = (inner, path, data, mode, acl, call) => call == 1
                ? Task.FromException<CreateResult>(new ConnectionLossException(path, "Injected: lost before sending."))
                : inner.CreateAsync(path, data, mode, acl),
        };
        var session = NodeTestKit.SessionOf(client);
        var connection = NodeTestKit.MockConnection();

        var node = await ZooKeeperConnectionSequentialNodeExtensions.CreateProtectedSequentialCoreAsync(
            connection.Object, root, "lock-", null, session, id, CancellationToken.None);

        Assert.NotEqual(foreign.Path, node.Path);
        Assert.Equal(2, client.CreateCalls);
        Assert.Equal(real.SessionId, (await real.ExistsAsync(node.Path))!.EphemeralOwner);
        Assert.Equal(other.SessionId, (await real.ExistsAsync(foreign.Path))!.EphemeralOwner);
        Assert.Equal(2, (await NodeTestKit.ChildrenAsync(real, root)).Count(n => ProtectedNodeName.ExtractId(n) == id));
    }

    [Fact]
    public async Task DeletesItsNodeInTheBackgroundWhenRetriesGiveUp()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(DeletesItsNodeInTheBackgroundWhenRetriesGiveUp));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var client = new InterceptingClient(real) { OnCreate = InterceptingClient.LoseFirstReply((_, _) => true) };
        var session = NodeTestKit.SessionOf(client);
        var connection = NodeTestKit.MockConnection(RetryPolicy.None);
        var scheduled = new TaskCompletionSource<(string Path, ZooKeeperSession? Session)>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Setup(c => c.DeleteGuaranteed(It.IsAny<string>(), It.IsAny<ZooKeeperSession?>()))
            .Callback<string, ZooKeeperSession?>((path, s) => scheduled.TrySetResult((path, s)));

        await Assert.ThrowsAsync<ConnectionLossException>(
            () => connection.Object.CreateProtectedSequentialAsync(root, "lock-", null, session, CancellationToken.None));

        var left = Assert.Single(await NodeTestKit.ChildrenAsync(real, root));
        var (path, deleteSession) = await NodeTestKit.WithinAsync(scheduled.Task, "the guaranteed delete of the orphan");
        Assert.Equal(root + "/" + left, path);
        Assert.Same(session, deleteSession);
    }

    [Fact]
    public async Task RefusesToCreateOnceOwnershipIsLost()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(RefusesToCreateOnceOwnershipIsLost));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var session = NodeTestKit.SessionOf(real);
        session.LoseOwnership();
        var connection = NodeTestKit.MockConnection();

        await Assert.ThrowsAsync<OwnershipLostException>(
            () => connection.Object.CreateProtectedSequentialAsync(root, "lock-", null, session, CancellationToken.None));

        Assert.Empty(await NodeTestKit.ChildrenAsync(real, root));
    }

    [Fact]
    public async Task IsOwnedByChecksTheOwnerAndTheSession()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(IsOwnedByChecksTheOwnerAndTheSession));
        await using var ours = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        await using var theirs = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var session = NodeTestKit.SessionOf(ours);
        var connection = NodeTestKit.MockConnection();
        var node = await connection.Object.CreateProtectedSequentialAsync(root, "lock-", null, session, CancellationToken.None);
        var foreign = await theirs.CreateAsync(root + "/foreign", null, CreateMode.Ephemeral);

        Assert.True(await connection.Object.IsOwnedByAsync(node.Path, session, CancellationToken.None));
        Assert.False(await connection.Object.IsOwnedByAsync(foreign.Path, session, CancellationToken.None));
        Assert.False(await connection.Object.IsOwnedByAsync(root + "/missing", session, CancellationToken.None));

        // Killed on the server: the node is gone and the session's client is expired.
        await Recipes.Testing.ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, ours);
        await NodeTestKit.EventuallyAsync(() => Task.FromResult(ours.State == ZooKeeperState.Expired), "the client to learn its session expired");
        Assert.False(await connection.Object.IsOwnedByAsync(node.Path, session, CancellationToken.None));
    }
}
