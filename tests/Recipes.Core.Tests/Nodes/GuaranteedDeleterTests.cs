using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Core.Tests.Nodes;

[Collection(NodesCollection.Name)]
public sealed class GuaranteedDeleterTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task DeletesOnceTheServerIsBack()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(DeletesOnceTheServerIsBack));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o =>
        {
            o.SessionTimeout = TimeSpan.FromSeconds(10);

            // A connect attempt to a server that is still starting can hang until this (default: the session timeout).
            o.ConnectTimeout = TimeSpan.FromSeconds(1);
            o.LoggerFactory = NodeTestKit.Logging(output);
        });
        await connection.CreateWithParentsAsync("/doomed", null, CreateMode.Persistent, CancellationToken.None);
        await using var deleter = new GuaranteedDeleter(connection, NodeTestKit.Logging(output).CreateLogger<GuaranteedDeleter>(), TimeProvider.System);
        using var states = new StateRecorder(connection);
        var suspended = states.Next(c => c.State == ConnectionState.Suspended);

        try
        {
            await zk.Server.StopAsync();
            await NodeTestKit.WithinAsync(suspended, "the connection to notice the server is down");
            deleter.Enqueue("/doomed", null);
            Assert.False(await deleter.DrainAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None));
            Assert.Equal(1, deleter.PendingCount);
        }
        finally
        {
            await zk.Server.StartAsync();
        }

        Assert.True(await deleter.DrainAsync(NodeTestKit.Patience, CancellationToken.None), "the delete should finish once the server is back");
        Assert.Equal(0, deleter.PendingCount);
        await using var check = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        Assert.Null(await check.ExistsAsync("/doomed"));
    }

    [Fact]
    public async Task NeverDeletesANodeAnotherSessionOwns()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(NeverDeletesANodeAnotherSessionOwns));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        await using var other = await NodeTestKit.ConnectAsync(zk.ConnectionString + root);
        await other.CreateAsync("/theirs", null, CreateMode.Ephemeral);
        await using var deleter = new GuaranteedDeleter(connection, NodeTestKit.Logging(output).CreateLogger<GuaranteedDeleter>(), TimeProvider.System);

        deleter.Enqueue("/theirs", await connection.WaitForSessionAsync());

        Assert.True(await deleter.DrainAsync(NodeTestKit.Patience, CancellationToken.None));
        Assert.NotNull(await other.ExistsAsync("/theirs"));
    }

    [Fact]
    public async Task DeletesTheSessionsOwnNodeAndTreatsAMissingNodeAsDone()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(DeletesTheSessionsOwnNodeAndTreatsAMissingNodeAsDone));
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var session = await connection.WaitForSessionAsync();
        await session.Client.CreateAsync("/ours", null, CreateMode.Ephemeral);
        await using var deleter = new GuaranteedDeleter(connection, NodeTestKit.Logging(output).CreateLogger<GuaranteedDeleter>(), TimeProvider.System);

        deleter.Enqueue("/ours", session);
        deleter.Enqueue("/never-existed", session);
        deleter.Enqueue("/never-existed-either", null);

        Assert.True(await deleter.DrainAsync(NodeTestKit.Patience, CancellationToken.None));
        Assert.Null(await session.Client.ExistsAsync("/ours"));
    }

    [Fact]
    public async Task StopsOnceTheSessionIsNoLongerCurrent()
    {
        var oldClient = new Mock<IZooKeeperClient>(MockBehavior.Strict);
        oldClient.SetupGet(c => c.State).Returns(ZooKeeperState.Connecting);
        var newClient = new Mock<IZooKeeperClient>(MockBehavior.Strict);
        newClient.SetupGet(c => c.State).Returns(ZooKeeperState.Connected);
        var connection = NodeTestKit.MockConnection();
        connection.SetupGet(c => c.CurrentSession).Returns(new ZooKeeperSession(newClient.Object, 2, TimeSpan.FromSeconds(4)));
        await using var deleter = new GuaranteedDeleter(connection.Object, NullLogger.Instance, TimeProvider.System);

        deleter.Enqueue("/lock/_c_x-lock-0000000001", new ZooKeeperSession(oldClient.Object, 1, TimeSpan.FromSeconds(4)));

        // The replaced session's ephemerals are the server's business: no request is sent (the strict mocks would throw).
        Assert.True(await deleter.DrainAsync(NodeTestKit.Patience, CancellationToken.None));
    }

    [Fact]
    public async Task RetriesUntilItSucceedsAndDisposalAbandonsTheRest()
    {
        var client = new Mock<IZooKeeperClient>();
        client.SetupGet(c => c.State).Returns(ZooKeeperState.Connected);
        var attempts = 0;
        client.Setup(c => c.DeleteAsync("/flaky", -1, It.IsAny<CancellationToken>()))
            .Returns(() => ++attempts < 3 ? Task.FromException(new ConnectionLossException("/flaky")) : Task.CompletedTask);
        client.Setup(c => c.DeleteAsync("/stuck", -1, It.IsAny<CancellationToken>()))
            .Returns(Task.FromException(new ConnectionLossException("/stuck")));
        var connection = NodeTestKit.MockConnection();
        connection.SetupGet(c => c.CurrentSession).Returns(new ZooKeeperSession(client.Object, 1, TimeSpan.FromSeconds(4)));
        var deleter = new GuaranteedDeleter(connection.Object, NullLogger.Instance, TimeProvider.System);

        deleter.Enqueue("/flaky", null);
        deleter.Enqueue("/stuck", null);

        await NodeTestKit.EventuallyAsync(() => Task.FromResult(deleter.PendingCount == 1), "the flaky delete to succeed on its third attempt");
        Assert.Equal(3, attempts);
        await deleter.DisposeAsync();
        Assert.Equal(0, deleter.PendingCount);
        deleter.Enqueue("/after-dispose", null);
        Assert.Equal(0, deleter.PendingCount);
    }
}
