using Moq;
using Recipes.Testing.Internal;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Testing.Tests;

[Collection(ZooKeeperCollection.Name)]
public sealed class SessionKillerTests(ZooKeeperServerFixture zk)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Kill_closes_the_victims_connection_deletes_its_ephemerals_and_expires_the_session()
    {
        var path = zk.NewRoot("killer");
        var (victim, session) = await RawRequests.NewSessionAsync(zk.Server.Port, CancellationToken.None);
        var (observer, _) = await RawRequests.NewSessionAsync(zk.Server.Port, CancellationToken.None);
        await using (victim)
        await using (observer)
        {
            Assert.Equal(0, await RawRequests.CallAsync(victim, 1, RawRequests.CreateOp, RawRequests.Create(path, ephemeral: true), CancellationToken.None));
            Assert.Equal(0, await RawRequests.CallAsync(observer, 1, RawRequests.ExistsOp, RawRequests.Exists(path), CancellationToken.None));
            var victimClosed = RawRequests.ReadUntilClosedAsync(victim, CancellationToken.None);

            // A dead first host and a chroot: the killer must use the first reachable host and ignore the chroot.
            var deadPort = FreePorts.Allocate(1)[0];
            await ZooKeeperSessionKiller.KillAsync($"127.0.0.1:{deadPort},{zk.ConnectionString}/some/chroot", session.SessionId, session.Password, CancellationToken.None);

            Assert.True(await Eventually.WithinAsync(victimClosed, Timeout, "the server to close the victim's connection"));
            Assert.Equal(RawRequests.NoNode, await RawRequests.CallAsync(observer, 2, RawRequests.ExistsOp, RawRequests.Exists(path), CancellationToken.None));
        }

        await using var again = await RawZooKeeperConnection.OpenAsync("127.0.0.1", zk.Server.Port, CancellationToken.None);
        var reply = await again.HandshakeAsync(session.SessionId, session.Password, 10_000, CancellationToken.None);
        Assert.NotNull(reply);
        Assert.True(reply.IsExpired);
        Assert.Equal(0, reply.SessionId);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, session.SessionId, session.Password, CancellationToken.None));
        Assert.Contains("already expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_takes_the_session_of_a_client()
    {
        var (victim, session) = await RawRequests.NewSessionAsync(zk.Server.Port, CancellationToken.None);
        await using (victim)
        {
            var client = new Mock<IZooKeeperClient>();
            client.SetupGet(c => c.SessionId).Returns(session.SessionId);
            client.SetupGet(c => c.SessionPassword).Returns(session.Password);
            var victimClosed = RawRequests.ReadUntilClosedAsync(victim, CancellationToken.None);

            await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, client.Object, CancellationToken.None);

            Assert.True(await Eventually.WithinAsync(victimClosed, Timeout, "the server to close the victim's connection"));
        }
    }

    [Fact]
    public async Task Kill_rejects_bad_arguments()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, 0, new byte[16], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => ZooKeeperSessionKiller.KillAsync("", 1, new byte[16], CancellationToken.None));
        var client = new Mock<IZooKeeperClient>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, client.Object, CancellationToken.None));
        var deadPort = FreePorts.Allocate(1)[0];
        await Assert.ThrowsAsync<InvalidOperationException>(() => ZooKeeperSessionKiller.KillAsync($"127.0.0.1:{deadPort}", 1, new byte[16], CancellationToken.None));
    }
}
