using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>Handshake, re-attach, expiry, authentication and close, against the scripted server.</summary>
public sealed class SessionTests
{
    private static readonly TimeSpan Timeout = FakeSession.Timeout;

    [Fact]
    public async Task The_first_ConnectRequest_has_the_Java_clients_45_byte_layout()
    {
        await using var session = FakeSession.Create(o => o.SessionTimeout = TimeSpan.FromMilliseconds(6000));
        var connection = await session.Server.AcceptAsync();

        Assert.Equal(
            "00000000" + "0000000000000000" + "00001770" + "0000000000000000" + "00000010" + new string('0', 32) + "00",
            Convert.ToHexString(connection.ConnectRequestPayload));
        await connection.SendConnectResponseAsync(4000);
        await session.Client.WaitForConnectedAsync().WaitAsync(Timeout);
        Assert.Equal(ScriptedZooKeeperServer.DefaultSessionId, session.Client.SessionId);
        Assert.Equal(ScriptedZooKeeperServer.DefaultPassword, session.Client.SessionPassword.ToArray());
        Assert.Equal(TimeSpan.FromMilliseconds(4000), session.Client.NegotiatedSessionTimeout);
    }

    [Fact]
    public async Task A_ConnectResponse_without_the_readOnly_byte_is_accepted()
    {
        await using var session = FakeSession.Create();
        var connection = await session.Server.AcceptAsync();
        var response = Frames.ConnectResponse(30_000, ScriptedZooKeeperServer.DefaultSessionId, ScriptedZooKeeperServer.DefaultPassword);
        var withoutReadOnly = response[..^1];
        withoutReadOnly[3]--;
        await connection.SendAsync(withoutReadOnly);

        await session.Client.WaitForConnectedAsync().WaitAsync(Timeout);
        Assert.Equal(ZooKeeperState.Connected, session.Client.State);
    }

    [Fact]
    public async Task A_read_only_server_puts_the_client_in_ConnectedReadOnly()
    {
        await using var session = FakeSession.Create(o => o.CanBeReadOnly = true);
        var connection = await session.Server.AcceptAsync();
        Assert.True(connection.ConnectRequest.ReadOnly);
        await connection.SendConnectResponseAsync(readOnly: true);

        await session.Client.WaitForConnectedAsync().WaitAsync(Timeout);
        Assert.Equal(ZooKeeperState.ConnectedReadOnly, session.Client.State);
    }

    [Fact]
    public async Task A_timeout_of_zero_on_re_attach_means_expired_and_every_call_throws_SessionExpired()
    {
        var password = Enumerable.Repeat((byte)7, 16).ToArray();
        await using var session = FakeSession.Create(o =>
        {
            o.SessionId = 0x77;
            o.SessionPassword = password;
        });
        var connection = await session.Server.AcceptAsync();
        Assert.Equal(0x77, connection.ConnectRequest.SessionId);
        Assert.Equal(password, connection.ConnectRequest.Password);

        await connection.SendConnectResponseAsync(timeoutMs: 0, sessionId: 0, password: new byte[16]);
        connection.Close();

        await session.States.WaitForAsync(ZooKeeperState.Expired);
        Assert.Equal(ZooKeeperState.Expired, session.Client.State);
        var client = session.Client;
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.WaitForConnectedAsync().WaitAsync(Timeout));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.GetDataAsync("/a"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.ExistsAsync("/a"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.CreateAsync("/a", null));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.SetDataAsync("/a", null));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.DeleteAsync("/a"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.GetChildrenAsync("/a"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.SyncAsync("/a"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.MultiAsync([Op.Delete("/a")]));
        var error = await Assert.ThrowsAsync<SessionExpiredException>(() => client.GetAclAsync("/a"));
        Assert.Equal("/a", error.Path);

        // The client never tries again: no second connection.
        Assert.Equal(0, session.Server.WaitingConnections);
    }

    [Fact]
    public async Task An_auth_reply_with_AuthFailed_puts_the_client_in_AuthFailed()
    {
        await using var session = await FakeSession.StartAsync(o => o.AuthInfo.Add(new ZooKeeperAuthInfo("bogus", "who:me"u8.ToArray())));

        var auth = await session.Connection.ReadRequestAsync();
        Assert.Equal(Xids.Auth, auth.Xid);
        Assert.Equal(OpCode.Auth, auth.Type);
        var reader = new JuteReader(auth.Body);
        Assert.Equal(0, reader.ReadInt());
        Assert.Equal("bogus", reader.ReadString());
        Assert.Equal("who:me"u8.ToArray(), reader.ReadBuffer());

        await session.Connection.ReplyAsync(auth, err: ErrorCode.AuthFailed, zxid: 0);
        session.Connection.Close();

        await session.States.WaitForAsync(ZooKeeperState.AuthFailed);
        await Assert.ThrowsAsync<AuthFailedException>(() => session.Client.GetDataAsync("/a"));
        await Assert.ThrowsAsync<AuthFailedException>(() => session.Client.WaitForConnectedAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task AddAuthAsync_completes_on_the_out_of_band_auth_reply()
    {
        await using var session = await FakeSession.StartAsync();
        var read = session.Client.GetDataAsync("/before");
        var auth = session.Client.AddAuthAsync(ZooKeeperAuthInfo.Digest("alice", "secret"));
        var requests = await session.Connection.ReadRequestsAsync(2);
        Assert.Equal(OpCode.GetData, requests[0].Type);
        Assert.Equal(Xids.Auth, requests[1].Xid);

        // The auth reply overtakes the reply to the earlier read, as a real server does.
        await session.Connection.ReplyAsync(requests[1], zxid: 0);
        await auth.WaitAsync(Timeout);
        await session.Connection.ReplyAsync(requests[0], Frames.DataBody([1]));
        Assert.Equal([1], (await read.WaitAsync(Timeout)).Data);
    }

    [Fact]
    public async Task Auth_is_sent_again_first_on_every_reconnect()
    {
        await using var session = await FakeSession.StartAsync(o => o.AuthInfo.Add(ZooKeeperAuthInfo.Digest("alice", "secret")));
        var auth = await session.Connection.ReadRequestAsync();
        Assert.Equal(OpCode.Auth, auth.Type);
        await session.Connection.ReplyAsync(auth, zxid: 0);
        session.Connection.Close();

        var second = await session.AcceptReconnectAsync();
        var again = await second.ReadRequestAsync();
        Assert.Equal(OpCode.Auth, again.Type);
        Assert.Equal(auth.Body, again.Body);
    }

    [Fact]
    public async Task Watches_are_re_registered_after_a_reconnect()
    {
        await using var session = await FakeSession.StartAsync(chroot: "/app");
        var watched = session.Client.GetDataAsync("/w", Watcher.Create(_ => { }));
        var request = await session.Connection.ReadRequestAsync();
        Assert.Equal("/app/w", request.Path);
        Assert.True(request.Watch);
        await session.Connection.ReplyAsync(request, Frames.DataBody([1]), zxid: 0x42);
        await watched.WaitAsync(Timeout);
        session.Connection.Close();

        var second = await session.AcceptReconnectAsync();
        var setWatches = await second.ReadRequestAsync();
        Assert.Equal(OpCode.SetWatches, setWatches.Type);
        Assert.True(setWatches.Xid > 0, "SetWatches goes out with a normal xid, as the Java client sends it.");
        var reader = new JuteReader(setWatches.Body);
        Assert.Equal(0x42, reader.ReadLong());
        Assert.Equal(["/app/w"], reader.ReadStringVector());
        Assert.Empty(reader.ReadStringVector());
        Assert.Empty(reader.ReadStringVector());
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public async Task CloseAsync_sends_closeSession_and_waits_for_its_reply()
    {
        var session = await FakeSession.StartAsync();
        try
        {
            var closing = session.Client.CloseAsync();
            var request = await session.Connection.ReadRequestAsync();
            Assert.Equal(OpCode.CloseSession, request.Type);
            Assert.Empty(request.Body);
            await session.Connection.ReplyAsync(request);

            await closing.WaitAsync(Timeout);
            Assert.Equal(ZooKeeperState.Closed, session.Client.State);
            Assert.Empty(await session.Connection.WaitForClientCloseAsync());
            await Assert.ThrowsAsync<ObjectDisposedException>(() => session.Client.GetDataAsync("/a"));
        }
        finally
        {
            await session.DisposeAsync();
        }
    }
}
