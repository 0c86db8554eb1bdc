using Recipes.Core;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

/// <summary>
/// With <c>DefaultAcl = Acl.CreatorAllWorldRead</c> and digest auth, lock nodes and the containers above them are
/// writable by their creator only: another identity can read them but cannot delete, overwrite or queue into them.
/// </summary>
[Collection(LocksCollection.Name)]
public sealed class AclTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task LockNodesAndTheirContainersAreCreatorOnlyAndAnotherIdentityCannotStealThem()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(LockNodesAndTheirContainersAreCreatorOnlyAndAnotherIdentityCannotStealThem));
        await using var alice = await ConnectAsync(kit, ZooKeeperAuthInfo.Digest("alice", "alice-secret"));
        await using var mallory = await ConnectAsync(kit, ZooKeeperAuthInfo.Digest("mallory", "mallory-secret"));
        var expected = new[]
        {
            new Acl(Permissions.All, ZooKeeperId.Digest("alice", "alice-secret")),
            new Acl(Permissions.Read, ZooKeeperId.Anyone),
        };

        await using var handle = await new ZooKeeperSemaphore(alice, "/locks/s", 1).AcquireAsync(LockTestKit.Patience);
        await using var mutexHandle = await new ZooKeeperMutex(alice, "/locks/m").AcquireAsync(LockTestKit.Patience);
        foreach (var path in new[] { "/locks", "/locks/m", mutexHandle.NodePath, handle.NodePath })
        {
            // Read as alice: the server redacts digest ids for readers without ADMIN permission.
            var acl = await alice.ExecuteAsync((c, ct) => c.GetAclAsync(path, ct));
            Assert.Equal(expected.OrderBy(a => a.Id.Scheme), acl.Acl.OrderBy(a => a.Id.Scheme));
        }

        // Mallory can read, but not delete the holder's node, overwrite it, or queue up for the lock.
        await Assert.ThrowsAsync<NoAuthException>(() => DeleteAsync(mallory, mutexHandle.NodePath));
        await Assert.ThrowsAsync<NoAuthException>(() => mallory.ExecuteAsync((c, ct) => c.SetDataAsync(mutexHandle.NodePath, "mine"u8.ToArray(), -1, ct)));
        var denied = await Assert.ThrowsAsync<NoAuthException>(() => new ZooKeeperMutex(mallory, "/locks/m").AcquireAsync(TimeSpan.FromSeconds(2)));
        Assert.Contains("/locks/m", denied.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NoAuthException>(() => DeleteAsync(mallory, "/locks/m"));

        Assert.False(mutexHandle.IsLost);
        Assert.False(handle.IsLost);
        Assert.Single(await kit.ChildrenAsync("/locks/m"));
    }

    private static Task<bool> DeleteAsync(ZooKeeperConnection connection, string path) =>
        connection.ExecuteAsync(async (c, ct) =>
        {
            await c.DeleteAsync(path, -1, ct);
            return true;
        });

    private static async Task<ZooKeeperConnection> ConnectAsync(LockTestKit kit, ZooKeeperAuthInfo auth)
    {
        var options = new ZooKeeperConnectionOptions
        {
            ConnectionString = kit.Observer.Options.ConnectionString,
            Namespace = kit.Root,
            SessionTimeout = LockTestKit.SessionTimeout,
            ConnectionWaitTimeout = LockTestKit.Patience,
            LoggerFactory = kit.Logging,
            DefaultAcl = Acl.CreatorAllWorldRead,
        };
        options.AuthInfo.Add(auth);
        return await ZooKeeperConnection.StartAsync(options);
    }
}
