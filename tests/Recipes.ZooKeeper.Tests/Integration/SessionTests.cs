using System.Security.Cryptography.X509Certificates;
using Recipes.Testing;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>Sessions, reconnects, expiry, authentication and TLS; each test runs its own server since it stops or configures it.</summary>
public sealed class SessionTests
{
    [Fact]
    public async Task Server_restart_within_the_session_keeps_the_session_its_ephemerals_and_its_watches()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var client = await Clients.ConnectAsync(server.ConnectionString, TimeSpan.FromSeconds(10));
        var states = new List<ZooKeeperState>();
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += (_, c) =>
        {
            lock (states)
            {
                states.Add(c.NewState);
            }

            if (c.OldState == ZooKeeperState.Connecting && c.NewState == ZooKeeperState.Connected)
            {
                reconnected.TrySetResult();
            }
        };

        var path = "/keep-" + Guid.NewGuid().ToString("N")[..8];
        await client.CreateAsync(path, null);
        await client.CreateAsync(path + "/e", null, CreateMode.Ephemeral);
        var data = Clients.Collect();
        var persistent = Clients.Collect();
        await client.GetDataAsync(path, data);
        await client.AddWatchAsync(path, persistent, AddWatchMode.Persistent);
        var sessionId = client.SessionId;

        await server.RestartAsync();
        await reconnected.Task.WaitAsync(Clients.Wait);
        Assert.Equal(sessionId, client.SessionId);
        Assert.NotNull(await client.ExistsAsync(path + "/e"));

        // A new session on the just-restarted server: give it a long session (its connect waits that long) — under the
        // full suite's load the restarted server once took more than 6 s to accept it. The test needs no quick expiry.
        await using var other = await Clients.ConnectAsync(server.ConnectionString, TimeSpan.FromSeconds(20));
        await other.SetDataAsync(path, "changed"u8.ToArray());
        Assert.Equal(EventType.NodeDataChanged, (await data.NextAsync()).Type);
        Assert.Equal(EventType.NodeDataChanged, (await persistent.NextAsync()).Type);
        lock (states)
        {
            Assert.Contains(ZooKeeperState.Connecting, states);
        }
    }

    [Fact]
    public async Task A_stall_shorter_than_the_read_timeout_loses_nothing_and_keeps_the_connection()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        await using var client = await Clients.ConnectAsync(proxy.ConnectionString, TimeSpan.FromSeconds(20));
        var states = new List<ZooKeeperState>();
        client.StateChanged += (_, change) =>
        {
            lock (states)
            {
                states.Add(change.NewState);
            }
        };

        proxy.Mode = FaultMode.Stall;
        var pending = client.ExistsAsync("/zookeeper");
        using (var held = new CancellationTokenSource(Clients.Wait))
        {
            while (proxy.BytesHeld == 0)
            {
                await Task.Delay(20, held.Token);
            }
        }

        // Held by the stall, so the server has not seen it; then delivered, answered, on the same connection.
        Assert.False(pending.IsCompleted);
        proxy.Heal();
        Assert.NotNull(await pending.WaitAsync(Clients.Wait));
        Assert.Equal(1, proxy.ConnectionCount);
        Assert.Equal(ZooKeeperState.Connected, client.State);
        lock (states)
        {
            // Only the connection's own (late-dispatched) Connected: never Connecting again.
            Assert.All(states, state => Assert.Equal(ZooKeeperState.Connected, state));
        }
    }

    [Fact]
    public async Task Requests_in_flight_when_the_connection_drops_fail_with_connection_loss()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        await using var client = await Clients.ConnectAsync(proxy.ConnectionString, TimeSpan.FromSeconds(10));
        proxy.Mode = FaultMode.Blackhole;
        var pending = client.GetDataAsync("/zookeeper");
        proxy.Reset();
        proxy.Mode = FaultMode.Pass;
        await Assert.ThrowsAsync<ConnectionLossException>(() => pending.WaitAsync(Clients.Wait));
        await client.WaitForConnectedAsync().WaitAsync(Clients.Wait);
        Assert.NotNull(await client.ExistsAsync("/zookeeper"));
    }

    [Fact]
    public async Task Server_side_expiry_gives_Expired_and_the_ephemerals_are_gone()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var victim = await Clients.ConnectAsync(server.ConnectionString);
        await using var observer = await Clients.ConnectAsync(server.ConnectionString);
        var path = "/eph-" + Guid.NewGuid().ToString("N")[..8];
        await victim.CreateAsync(path, null, CreateMode.Ephemeral);
        var deleted = Clients.Collect();
        await observer.ExistsAsync(path, deleted);
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        victim.StateChanged += (_, c) =>
        {
            if (c.NewState == ZooKeeperState.Expired)
            {
                expired.TrySetResult();
            }
        };

        await ZooKeeperSessionKiller.KillAsync(server.ConnectionString, victim);
        Assert.Equal(EventType.NodeDeleted, (await deleted.NextAsync()).Type);
        await expired.Task.WaitAsync(Clients.Wait);
        Assert.Equal(ZooKeeperState.Expired, victim.State);
        await Assert.ThrowsAsync<SessionExpiredException>(() => victim.ExistsAsync("/"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => victim.WaitForConnectedAsync());
    }

    [Fact]
    public async Task Digest_auth_and_ACLs_deny_the_unauthorised_and_survive_a_reconnect()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var alice = await Clients.ConnectAsync(server.ConnectionString, configure: o => o.AuthInfo.Add(ZooKeeperAuthInfo.Digest("alice", "secret")));
        await using var anonymous = await Clients.ConnectAsync(server.ConnectionString);
        var path = "/acl-" + Guid.NewGuid().ToString("N")[..8];

        await alice.CreateAsync(path, "private"u8.ToArray(), acl: Acl.CreatorAllWorldRead);
        var acl = await alice.GetAclAsync(path);
        Assert.Contains(acl.Acl, a => a.Id == ZooKeeperId.Digest("alice", "secret") && a.Permissions == Permissions.All);
        Assert.Contains(await alice.WhoAmIAsync(), i => i is { Scheme: "digest", User: "alice" });

        Assert.Equal("private"u8.ToArray(), (await anonymous.GetDataAsync(path)).Data);
        var denied = await Assert.ThrowsAsync<NoAuthException>(() => anonymous.SetDataAsync(path, "x"u8.ToArray()));
        Assert.Equal(path, denied.Path);

        // setACL: open the node to everyone (ADMIN needed: anonymous may not, alice may), with ACL versions checked.
        await Assert.ThrowsAsync<NoAuthException>(() => anonymous.SetAclAsync(path, Acl.OpenUnsafe));
        await Assert.ThrowsAsync<BadVersionException>(() => alice.SetAclAsync(path, Acl.OpenUnsafe, aclVersion: 5));
        var opened = await alice.SetAclAsync(path, Acl.OpenUnsafe, aclVersion: 0);
        Assert.Equal(1, opened.Aversion);
        await anonymous.SetDataAsync(path, "anyone"u8.ToArray());
        await alice.SetAclAsync(path, Acl.CreatorAllWorldRead, aclVersion: 1);

        await anonymous.AddAuthAsync(ZooKeeperAuthInfo.Digest("alice", "wrong"));
        await Assert.ThrowsAsync<NoAuthException>(() => anonymous.SetDataAsync(path, "x"u8.ToArray()));

        // Auth is re-sent after a reconnect.
        await server.RestartAsync();
        await alice.WaitForConnectedAsync().WaitAsync(Clients.Wait);
        var stat = await RetryOnConnectionLoss(() => alice.SetDataAsync(path, "updated"u8.ToArray()));
        Assert.Equal(2, stat.Version);
    }

    [Fact]
    public async Task Tls_round_trip_with_the_servers_certificate_trusted_and_rejected_otherwise()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { EnableTls = true });
        var trusted = new ZooKeeperTlsOptions { TrustedRoots = new X509Certificate2Collection(server.TlsCertificateAuthority), TargetHost = "localhost" };
        // A JVM's first TLS handshakes can take seconds on a busy machine: allow more than the default third of the session.
        await using (var client = await Clients.ConnectAsync(server.SecureConnectionString, TimeSpan.FromSeconds(15), o =>
        {
            o.Tls = trusted;
            o.ConnectTimeout = TimeSpan.FromSeconds(10);
        }))
        {
            var path = "/tls-" + Guid.NewGuid().ToString("N")[..8];
            await client.CreateAsync(path, "over tls"u8.ToArray());
            Assert.Equal("over tls"u8.ToArray(), (await client.GetDataAsync(path)).Data);
        }

        // Validation is on by default: an untrusted self-signed certificate is refused.
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = server.SecureConnectionString,
            SessionTimeout = TimeSpan.FromSeconds(3),
            Tls = new ZooKeeperTlsOptions { TargetHost = "localhost" },
        };
        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(options));
        Assert.Contains("Could not connect", error.Message, StringComparison.Ordinal);
    }

    private static async Task<T> RetryOnConnectionLoss<T>(Func<Task<T>> operation)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (ConnectionLossException) when (attempt < 5)
            {
            }
        }
    }
}
