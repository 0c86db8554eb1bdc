using Microsoft.Extensions.Time.Testing;
using Moq;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Connection;

/// <summary>The connection's state machine against mocked wire clients and a fake clock.</summary>
public sealed class ConnectionStateMachineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly List<FakeClient> _clients = [];
    private readonly SemaphoreSlim _created = new(0);

    [Fact]
    public async Task First_connection_is_Connected_and_gives_a_trusted_session()
    {
        await using var connection = NewConnection();
        var states = Record(connection);
        var start = connection.StartAsync();
        var client = await NextClient();
        client.Connect(sessionId: 0x11);
        await start.WaitAsync(Wait);

        Assert.Equal(ConnectionState.Connected, connection.State);
        Assert.Equal(0x11, connection.CurrentSession!.SessionId);
        Assert.False(connection.CurrentSession.IsOwnershipLost);
        await states.WaitFor(ConnectionState.Connected);
    }

    [Fact]
    public async Task Blip_shorter_than_the_grace_keeps_ownership_and_the_session_object()
    {
        await using var connection = NewConnection(grace: 0.5);
        var client = await StartConnected(connection, 0x21);
        var session = connection.CurrentSession!;

        client.Disconnect();
        await WaitUntil(() => connection.State == ConnectionState.Suspended);
        _time.Advance(TimeSpan.FromSeconds(4.9)); // grace is 0.5 × 10 s from the last contact
        Assert.False(session.IsOwnershipLost);

        client.Connect(0x21);
        await WaitUntil(() => connection.State == ConnectionState.Reconnected);
        Assert.Same(session, connection.CurrentSession);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(session.IsOwnershipLost);
    }

    [Fact]
    public async Task Suspended_past_the_grace_ends_ownership_before_the_session_could_expire()
    {
        await using var connection = NewConnection(grace: 0.5);
        var client = await StartConnected(connection, 0x31);
        var session = connection.CurrentSession!;

        // Last server contact was 2 s ago when the connection drops: the grace runs out 3 s later.
        _time.Advance(TimeSpan.FromSeconds(2));
        client.Disconnect();
        await WaitUntil(() => connection.State == ConnectionState.Suspended);
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(session.IsOwnershipLost);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        await WaitUntil(() => session.IsOwnershipLost);
        Assert.Equal(ConnectionState.Suspended, connection.State);

        // The same session comes back: a new trust period with a fresh token, same id.
        client.Connect(0x31);
        await WaitUntil(() => connection.State == ConnectionState.Reconnected);
        var renewed = connection.CurrentSession!;
        Assert.NotSame(session, renewed);
        Assert.Equal(0x31, renewed.SessionId);
        Assert.False(renewed.IsOwnershipLost);
    }

    [Fact]
    public async Task Silence_for_the_session_timeout_is_Lost_by_the_clients_own_clock_and_a_new_session_opens()
    {
        await using var connection = NewConnection(grace: 0.5);
        var states = Record(connection);
        var client = await StartConnected(connection, 0x41);
        var session = connection.CurrentSession!;

        client.Disconnect();
        await WaitUntil(() => connection.State == ConnectionState.Suspended);
        _time.Advance(TimeSpan.FromSeconds(10));
        await states.WaitFor(ConnectionState.Lost);
        Assert.True(session.IsOwnershipLost);
        Assert.True(client.Disposed);

        var next = await NextClient();
        next.Connect(0x42);
        var reconnected = await states.WaitFor(ConnectionState.Reconnected);
        Assert.True(reconnected.IsNewSession);
        Assert.Equal(0x42, connection.CurrentSession!.SessionId);
    }

    [Fact]
    public async Task Server_reported_expiry_is_Lost_at_once()
    {
        await using var connection = NewConnection();
        var states = Record(connection);
        var client = await StartConnected(connection, 0x51);
        var session = connection.CurrentSession!;

        client.Disconnect();
        Assert.Equal(ConnectionState.Suspended, connection.State);
        client.SetState(ZooKeeperState.Expired);
        Assert.Equal(ConnectionState.Lost, connection.State);
        var lost = await states.WaitFor(ConnectionState.Lost);
        Assert.Equal(0x51, lost.SessionId);
        Assert.True(session.IsOwnershipLost);
        Assert.Null(connection.CurrentSession);
    }

    [Fact]
    public async Task SuspendedIsLoss_policy_ends_ownership_on_suspension()
    {
        await using var connection = NewConnection(grace: 0);
        var client = await StartConnected(connection, 0x61);
        var session = connection.CurrentSession!;
        client.Disconnect();
        await WaitUntil(() => session.IsOwnershipLost);
    }

    [Fact]
    public async Task ExecuteAsync_retries_connection_loss_but_not_other_errors()
    {
        await using var connection = NewConnection();
        await StartConnected(connection, 0x71);
        var calls = 0;
        var result = await connection.ExecuteAsync(async (_, _) =>
        {
            await Task.Yield();
            if (++calls < 3)
            {
                throw new ConnectionLossException("/x");
            }

            return 42;
        }).WaitAsync(Wait);
        Assert.Equal(42, result);
        Assert.Equal(3, calls);

        calls = 0;
        await Assert.ThrowsAsync<NoNodeException>(() => connection.ExecuteAsync<int>((_, _) =>
        {
            calls++;
            throw new NoNodeException("/x");
        }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Operations_wait_for_the_connection_instead_of_failing_at_once()
    {
        await using var connection = NewConnection();
        var client = await StartConnected(connection, 0x81);
        client.Disconnect();
        await WaitUntil(() => connection.State == ConnectionState.Suspended);

        var operation = connection.ExecuteAsync((c, _) => Task.FromResult(c.SessionId));
        await Task.Delay(50);
        Assert.False(operation.IsCompleted);
        client.Connect(0x81);
        Assert.Equal(0x81, await operation.WaitAsync(Wait));
    }

    [Fact]
    public void Grace_fraction_of_one_or_more_is_rejected_with_a_clear_message()
    {
        var options = new ZooKeeperConnectionOptions
        {
            ConnectionString = "127.0.0.1:2181",
            OwnershipLossPolicy = new OwnershipLossPolicy { GraceFraction = 1.0 },
        };
        var error = Assert.Throws<ArgumentException>(() => new ZooKeeperConnection(options));
        Assert.Contains("GraceFraction", error.Message, StringComparison.Ordinal);
    }

    private ZooKeeperConnection NewConnection(double grace = 0.5) => new(new ZooKeeperConnectionOptions
    {
        ConnectionString = "127.0.0.1:1",
        SessionTimeout = TimeSpan.FromSeconds(10),
        TimeProvider = _time,
        RetryPolicy = RetryPolicy.Bounded(5, TimeSpan.Zero),
        OwnershipLossPolicy = new OwnershipLossPolicy { GraceFraction = grace },
        ClientFactory = _ =>
        {
            var client = new FakeClient(_time);
            lock (_clients)
            {
                _clients.Add(client);
            }

            _created.Release();
            return client.Object;
        },
    });

    private async Task<FakeClient> StartConnected(ZooKeeperConnection connection, long sessionId)
    {
        var start = connection.StartAsync();
        var client = await NextClient();
        client.Connect(sessionId);
        await start.WaitAsync(Wait);
        return client;
    }

    private async Task<FakeClient> NextClient()
    {
        Assert.True(await _created.WaitAsync(Wait), "the connection did not create a client");
        lock (_clients)
        {
            return _clients[^1];
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(5);
        }
    }

    private static StateRecorder Record(IZooKeeperConnection connection) => new(connection);

    /// <summary>A Moq client whose state, session and last contact the test drives.</summary>
    private sealed class FakeClient
    {
        private readonly Mock<IZooKeeperClient> _mock = new();
        private readonly FakeTimeProvider _time;
        private readonly List<EventHandler<ZooKeeperStateChange>> _handlers = [];
        private ZooKeeperState _state = ZooKeeperState.Connecting;
        private long _sessionId;
        private long _contact;

        public FakeClient(FakeTimeProvider time)
        {
            _time = time;
            _contact = time.GetTimestamp();
            _mock.SetupGet(c => c.State).Returns(() => _state);
            _mock.SetupGet(c => c.SessionId).Returns(() => _sessionId);
            _mock.SetupGet(c => c.NegotiatedSessionTimeout).Returns(TimeSpan.FromSeconds(10));
            _mock.SetupGet(c => c.LastServerContactTimestamp).Returns(() => _contact);
            _mock.SetupGet(c => c.LastReceivedTimestamp).Returns(() => _contact);
            // Moq's own event plumbing is not safe against a subscription racing a raise: keep the handlers here.
            _mock.SetupAdd(c => c.StateChanged += It.IsAny<EventHandler<ZooKeeperStateChange>>())
                .Callback<EventHandler<ZooKeeperStateChange>>(h =>
                {
                    lock (_handlers)
                    {
                        _handlers.Add(h);
                    }
                });
            _mock.SetupRemove(c => c.StateChanged -= It.IsAny<EventHandler<ZooKeeperStateChange>>())
                .Callback<EventHandler<ZooKeeperStateChange>>(h =>
                {
                    lock (_handlers)
                    {
                        _handlers.Remove(h);
                    }
                });
            _mock.Setup(c => c.DisposeAsync()).Returns(() =>
            {
                Disposed = true;
                return ValueTask.CompletedTask;
            });
        }

        public IZooKeeperClient Object => _mock.Object;

        public bool Disposed { get; private set; }

        public void Connect(long sessionId)
        {
            _sessionId = sessionId;
            _contact = _time.GetTimestamp();
            SetState(ZooKeeperState.Connected);
        }

        public void Disconnect() => SetState(ZooKeeperState.Connecting);

        public void SetState(ZooKeeperState state)
        {
            var old = _state;
            _state = state;
            EventHandler<ZooKeeperStateChange>[] handlers;
            lock (_handlers)
            {
                handlers = [.. _handlers];
            }

            foreach (var handler in handlers)
            {
                handler(_mock.Object, new ZooKeeperStateChange(old, state, _sessionId));
            }
        }
    }
}
