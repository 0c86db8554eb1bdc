using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Watching;

/// <summary>A mocked <see cref="IZooKeeperConnection"/> whose ExecuteAsync runs the operation once on a given client.</summary>
internal static class MockConnection
{
    public static Mock<IZooKeeperConnection> For(IZooKeeperClient client)
    {
        var connection = new Mock<IZooKeeperConnection>(MockBehavior.Strict);
        connection.SetupGet(c => c.LoggerFactory).Returns(NullLoggerFactory.Instance);
        connection.SetupGet(c => c.TimeProvider).Returns(TimeProvider.System);
        connection.SetupGet(c => c.State).Returns(ConnectionState.Connected);
        connection.SetupAdd(c => c.StateChanged += It.IsAny<EventHandler<ConnectionStateChange>>());
        connection.SetupRemove(c => c.StateChanged -= It.IsAny<EventHandler<ConnectionStateChange>>());
        connection
            .Setup(c => c.ExecuteAsync(It.IsAny<Func<IZooKeeperClient, CancellationToken, Task<It.IsAnyType>>>(), It.IsAny<CancellationToken>()))
            .Returns(new InvocationFunc(invocation => ((Delegate)invocation.Arguments[0]).DynamicInvoke(client, invocation.Arguments[1])!));
        return connection;
    }

    public static void RaiseState(this Mock<IZooKeeperConnection> connection, ConnectionState state, ConnectionState previous, bool newSession) =>
        connection.Raise(c => c.StateChanged += null, connection.Object, new ConnectionStateChange(state, previous, 1, newSession));
}
