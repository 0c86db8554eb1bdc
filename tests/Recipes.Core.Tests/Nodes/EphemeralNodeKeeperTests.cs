using System.Collections.Concurrent;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Core.Tests.Nodes;

[Collection(NodesCollection.Name)]
public sealed class EphemeralNodeKeeperTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task CreatesTheNodeAndDeletesItOnDisposal()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(CreatesTheNodeAndDeletesItOnDisposal));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, Log);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        var keeper = new EphemeralNodeKeeper(connection, "/services/api", [7]);
        var created = new ConcurrentQueue<string>();
        keeper.NodeCreated += (_, path) => created.Enqueue(path);

        await keeper.StartAsync(CancellationToken.None);

        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        Assert.Equal("/services/api", keeper.ActualPath);
        Assert.Equal(["/services/api"], created);
        var node = await check.GetDataAsync("/services/api");
        Assert.Equal([7], node.Data);
        Assert.Equal(connection.CurrentSession!.SessionId, node.Stat.EphemeralOwner);

        await keeper.DisposeAsync();

        Assert.Null(await check.ExistsAsync("/services/api"));
        Assert.Null(keeper.ActualPath);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => keeper.SetDataAsync([1], CancellationToken.None));
    }

    [Fact]
    public async Task RestoresTheNodeWithTheLatestDataAfterSessionExpiry()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(RestoresTheNodeWithTheLatestDataAfterSessionExpiry));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, Log);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await using var keeper = new EphemeralNodeKeeper(connection, "/members/me", [1]);
        var created = new ConcurrentQueue<string>();
        keeper.NodeCreated += (_, path) => created.Enqueue(path);
        await keeper.StartAsync(CancellationToken.None);
        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        await keeper.SetDataAsync([2], CancellationToken.None);
        Assert.Equal([2], (await check.GetDataAsync("/members/me")).Data);
        var oldSession = connection.CurrentSession!;
        using var states = new StateRecorder(connection);
        var lost = states.Next(c => c.State == ConnectionState.Lost);
        var newSession = states.Next(c => c.State == ConnectionState.Reconnected && c.IsNewSession);

        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, oldSession.Client);

        await NodeTestKit.WithinAsync(lost, "Lost after the session was killed");
        var reconnected = await NodeTestKit.WithinAsync(newSession, "Reconnected with a new session");
        await NodeTestKit.EventuallyAsync(
            async () => await check.ExistsAsync("/members/me") is { } stat && stat.EphemeralOwner == reconnected.SessionId,
            "the node to be back on the new session");
        Assert.Equal([2], (await check.GetDataAsync("/members/me")).Data);
        Assert.Equal(["me"], await NodeTestKit.ChildrenAsync(check, "/members"));
        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        Assert.Equal(2, created.Count);
    }

    [Fact]
    public async Task RecreatesTheNodeWhenSomeoneDeletesIt()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(RecreatesTheNodeWhenSomeoneDeletesIt));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, Log);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await using var keeper = new EphemeralNodeKeeper(connection, "/me", [3]);
        await keeper.StartAsync(CancellationToken.None);
        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        var first = (await check.ExistsAsync("/me"))!;

        await check.DeleteAsync("/me");

        await NodeTestKit.EventuallyAsync(
            async () => await check.ExistsAsync("/me") is { } stat && stat.Czxid != first.Czxid,
            "the node to be created again");
        Assert.Equal([3], (await check.GetDataAsync("/me")).Data);
    }

    [Fact]
    public async Task WaitsForAnotherSessionsNodeToGoBeforeCreatingItsOwn()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(WaitsForAnotherSessionsNodeToGoBeforeCreatingItsOwn));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, Log);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        var other = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await other.CreateAsync("/me", [9], CreateMode.Ephemeral);
        await using var keeper = new EphemeralNodeKeeper(connection, "/me", [4]);

        await keeper.StartAsync(CancellationToken.None);

        Assert.False(await keeper.WaitForCreatedAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None));
        Assert.Equal(other.SessionId, (await check.ExistsAsync("/me"))!.EphemeralOwner);

        await other.CloseAsync();
        await other.DisposeAsync();

        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        var node = await check.GetDataAsync("/me");
        Assert.Equal(connection.CurrentSession!.SessionId, node.Stat.EphemeralOwner);
        Assert.Equal([4], node.Data);
    }

    [Fact]
    public async Task SetDataUpdatesTheNode()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(SetDataUpdatesTheNode));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, Log);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await using var keeper = new EphemeralNodeKeeper(connection, "/me", null, EphemeralNodeMode.ProtectedEphemeral);
        await keeper.SetDataAsync([5], CancellationToken.None);
        await keeper.StartAsync(CancellationToken.None);
        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        var path = keeper.ActualPath!;
        Assert.Matches("^/_c_[0-9a-f-]{36}-me$", path);
        Assert.Equal([5], (await check.GetDataAsync(path)).Data);

        await keeper.SetDataAsync([6], CancellationToken.None);

        Assert.Equal([6], (await check.GetDataAsync(path)).Data);
        Assert.Equal([6], keeper.Data);
    }

    [Theory]
    [InlineData(EphemeralNodeMode.EphemeralSequential, @"^instance-\d{10}$")]
    [InlineData(EphemeralNodeMode.ProtectedEphemeralSequential, @"^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-instance-\d{10}$")]
    public async Task SequentialNodesLeaveNoDuplicatesAcrossExpiry(EphemeralNodeMode mode, string namePattern)
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(SequentialNodesLeaveNoDuplicatesAcrossExpiry) + mode);
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, Log);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await using var keeper = new EphemeralNodeKeeper(connection, "/svc/instance-", [1], mode);
        await keeper.StartAsync(CancellationToken.None);
        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        var first = keeper.ActualPath!;
        Assert.Matches(namePattern, PathUtils.GetNodeName(first));
        using var states = new StateRecorder(connection);
        var newSession = states.Next(c => c.State == ConnectionState.Reconnected && c.IsNewSession);

        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, connection.CurrentSession!.Client);

        var reconnected = await NodeTestKit.WithinAsync(newSession, "Reconnected with a new session");
        await NodeTestKit.EventuallyAsync(
            // The path may repeat: the emptied container parent can be reaped, which restarts its sequence.
            async () => keeper.ActualPath is { } p && await check.ExistsAsync(p) is { } stat && stat.EphemeralOwner == reconnected.SessionId,
            "the node to be created again on the new session");
        var children = await NodeTestKit.ChildrenAsync(check, "/svc");
        var only = Assert.Single(children);
        Assert.Equal(PathUtils.GetNodeName(keeper.ActualPath!), only);
        Assert.Matches(namePattern, only);
    }

    [Theory]
    [InlineData(EphemeralNodeMode.EphemeralSequential)]
    [InlineData(EphemeralNodeMode.ProtectedEphemeralSequential)]
    [InlineData(EphemeralNodeMode.Ephemeral)]
    public async Task ALostCreateReplyLeavesExactlyOneNode(EphemeralNodeMode mode)
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ALostCreateReplyLeavesExactlyOneNode) + mode);
        InterceptingClient? intercepted = null;
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o =>
        {
            Log(o);
            o.ClientFactory = options =>
            {
                intercepted = new InterceptingClient(ZooKeeperClient.Create(options))
                {
                    OnCreate = InterceptingClient.LoseFirstReply((_, m) => m.IsEphemeral()),
                };
                return intercepted;
            };
        });
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await using var keeper = new EphemeralNodeKeeper(connection, "/svc/n-", [1], mode);

        await keeper.StartAsync(CancellationToken.None);

        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        var only = Assert.Single(await NodeTestKit.ChildrenAsync(check, "/svc"));
        Assert.Equal("/svc/" + only, keeper.ActualPath);
        Assert.True(intercepted!.CreateCalls >= 2);
    }

    [Fact]
    public async Task DisposalRemovesTheKeepersWatches()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(DisposalRemovesTheKeepersWatches));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, Log);
        var keeper = new EphemeralNodeKeeper(connection, "/watched", null);
        await keeper.StartAsync(CancellationToken.None);
        Assert.True(await keeper.WaitForCreatedAsync(NodeTestKit.Patience, CancellationToken.None));
        var serverPath = root + "/watched";
        var before = NodeTestKit.ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp"));
        Assert.True(before.ContainsKey(serverPath));

        await keeper.DisposeAsync();

        var after = NodeTestKit.ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp"));
        Assert.False(after.ContainsKey(serverPath));
    }

    private void Log(ZooKeeperConnectionOptions options) =>
        options.LoggerFactory = NodeTestKit.Logging(output);
}
