using Recipes.Core;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Leader.Tests;

/// <summary>
/// With <c>DefaultAcl = Acl.CreatorAllWorldRead</c> and digest auth, the election container and the leader's node
/// are writable by their creator only: another identity cannot delete the leader's node or join behind its back.
/// </summary>
[Collection(LeaderCollection.Name)]
public sealed class AclTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Election_nodes_are_creator_only_and_another_identity_cannot_depose_the_leader()
    {
        var root = zk.NewRoot(nameof(AclTests));
        await using (var setup = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString }))
        {
            await setup.CreateAsync(root, null, CreateMode.Persistent);
        }

        await using var alice = await ConnectAsync(root, "alice", "alice-secret");
        await using var mallory = await ConnectAsync(root, "mallory", "mallory-secret");
        await using var latch = new LeaderLatch(alice, LeaderTestKit.Election, LeaderTestKit.Id("alice"));
        await latch.StartAsync();
        var term = await LeaderTestKit.WithinAsync(latch.WaitForLeadershipAsync(LeaderTestKit.Patience), "alice leads");
        Assert.NotNull(term);

        var expected = new[]
        {
            new Acl(Permissions.All, ZooKeeperId.Digest("alice", "alice-secret")),
            new Acl(Permissions.Read, ZooKeeperId.Anyone),
        };
        foreach (var path in new[] { LeaderTestKit.Election, term.NodePath })
        {
            // Read as alice: the server redacts digest ids for readers without ADMIN permission.
            var acl = await alice.ExecuteAsync((c, ct) => c.GetAclAsync(path, ct));
            Assert.Equal(expected.OrderBy(a => a.Id.Scheme), acl.Acl.OrderBy(a => a.Id.Scheme));
        }

        // Mallory can see who leads but cannot delete the leader's node, rewrite its id, or add a participant.
        Assert.Equal("alice", (await latch.GetLeaderAsync())?.Id);
        await Assert.ThrowsAsync<NoAuthException>(() => mallory.ExecuteAsync(async (c, ct) =>
        {
            await c.DeleteAsync(term.NodePath, -1, ct);
            return true;
        }));
        await Assert.ThrowsAsync<NoAuthException>(() => mallory.ExecuteAsync((c, ct) => c.SetDataAsync(term.NodePath, "mallory"u8.ToArray(), -1, ct)));
        await Assert.ThrowsAsync<NoAuthException>(() => mallory.ExecuteAsync((c, ct) =>
            c.CreateAsync(LeaderTestKit.Election + "/_c_00000000-0000-0000-0000-000000000000-latch-", "mallory"u8.ToArray(), CreateMode.EphemeralSequential, cancellationToken: ct)));

        Assert.False(term.IsLost);
        Assert.True(latch.IsLeader);
        Assert.Single(await latch.GetParticipantsAsync());
    }

    private async Task<ZooKeeperConnection> ConnectAsync(string root, string user, string password)
    {
        var options = new ZooKeeperConnectionOptions
        {
            ConnectionString = zk.ConnectionString,
            Namespace = root,
            SessionTimeout = LeaderTestKit.SessionTimeout,
            ConnectionWaitTimeout = LeaderTestKit.Patience,
            LoggerFactory = LeaderTestKit.Logging(output, user),
            DefaultAcl = Acl.CreatorAllWorldRead,
        };
        options.AuthInfo.Add(ZooKeeperAuthInfo.Digest(user, password));
        return await ZooKeeperConnection.StartAsync(options);
    }
}
