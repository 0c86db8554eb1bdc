using Microsoft.Extensions.Logging;
using Recipes.Core.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Core;

// The session state machine: follows the current wire client's states, applies the ownership-loss policy with
// timers counted from the last server contact, declares Lost (server-reported or by the client's own clock),
// and replaces a lost session with a new client.
public sealed partial class ZooKeeperConnection
{
    private void EnsureStarted()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            if (_started)
            {
                return;
            }

            _started = true;
        }

        _ = Task.Run(() => OpenSessionAsync(TimeSpan.Zero));
    }

    /// <summary>Creates the next session's client (after an optional back-off), making sure the namespace exists first.</summary>
    private async Task OpenSessionAsync(TimeSpan delay)
    {
        var token = _disposed.Token;
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, token).ConfigureAwait(false);
            }

            if (Namespace.Length > 0)
            {
                await EnsureNamespaceAsync(token).ConfigureAwait(false);
            }

            var clientOptions = _options.ToClientOptions();
            var client = (_options.ClientFactory ?? ZooKeeperClient.Create)(clientOptions);
            lock (_lock)
            {
                if (_disposed.IsCancellationRequested)
                {
                    _ = client.DisposeAsync().AsTask();
                    return;
                }

                _client = client;
                _clientState = ZooKeeperState.Connecting;
            }

            client.StateChanged += OnClientStateChanged;

            // The client connects in the background and may have connected before we subscribed.
            HandleClientState(client, client.State);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Opening a ZooKeeper session failed; retrying.");
            _ = Task.Run(() => OpenSessionAsync(TimeSpan.FromSeconds(1)), CancellationToken.None);
        }
    }

    /// <summary>The namespace is a chroot, which the chrooted client cannot create: create it without one.</summary>
    private async Task EnsureNamespaceAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                var options = _options.ToClientOptions();
                options.ConnectionString = _options.ConnectionString;
                await using var bootstrap = await ZooKeeperClient.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                var path = "";
                foreach (var segment in Namespace.Split('/', StringSplitOptions.RemoveEmptyEntries))
                {
                    path += "/" + segment;
                    try
                    {
                        await bootstrap.CreateAsync(path, null, CreateMode.Persistent, _options.DefaultAcl, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (NodeExistsException)
                    {
                    }
                }

                return;
            }
            catch (Exception exception) when (exception is ZooKeeperException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
            {
                attempt++;
                _logger.Log(attempt == 1 ? LogLevel.Warning : LogLevel.Debug, "Could not create the namespace '{Namespace}' yet: {Error}", Namespace, exception.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void OnClientStateChanged(object? sender, ZooKeeperStateChange change)
    {
        if (sender is IZooKeeperClient client)
        {
            HandleClientState(client, change.NewState);
        }
    }

    private void HandleClientState(IZooKeeperClient client, ZooKeeperState clientState)
    {
        var after = new List<Action>();
        lock (_lock)
        {
            if (!ReferenceEquals(client, _client) || _disposed.IsCancellationRequested || clientState == _clientState)
            {
                return;
            }

            _clientState = clientState;
            switch (clientState)
            {
                case ZooKeeperState.Connected:
                case ZooKeeperState.ConnectedReadOnly:
                    OnConnected(client, clientState == ZooKeeperState.ConnectedReadOnly);
                    break;
                case ZooKeeperState.Connecting:
                    OnSuspended(client, after);
                    break;
                case ZooKeeperState.Expired:
                    DeclareLost(client, "the server reported the session expired", after);
                    break;
                case ZooKeeperState.AuthFailed:
                    DeclareLost(client, "authentication failed", after);
                    break;
                case ZooKeeperState.Closed:
                    DeclareLost(client, "the client closed", after);
                    break;
            }
        }

        foreach (var action in after)
        {
            action();
        }
    }

    // Under _lock.
    private void OnConnected(IZooKeeperClient client, bool readOnly)
    {
        StopTimers();
        _lossesWithoutConnection = 0;
        var sessionId = client.SessionId;
        var newSession = _session is null || _session.SessionId != sessionId || !ReferenceEquals(_session.Client, client);
        if (newSession || _session!.IsOwnershipLost)
        {
            // A fresh trust period: what was owned under a session whose ownership was given up must be re-checked.
            _session = new ZooKeeperSession(client, sessionId, client.NegotiatedSessionTimeout);
        }

        var state = readOnly ? ConnectionState.ReadOnly : _everConnected ? ConnectionState.Reconnected : ConnectionState.Connected;
        _everConnected = true;
        Publish(state, sessionId, newSession);
    }

    // Under _lock.
    private void OnSuspended(IZooKeeperClient client, List<Action> after)
    {
        if (!_state.IsConnected() || _session is null)
        {
            return;
        }

        var session = _session;
        Publish(ConnectionState.Suspended, session.SessionId, isNewSession: false);

        // Both deadlines count from the last moment the server is known to have heard us.
        var sessionTimeout = client.NegotiatedSessionTimeout > TimeSpan.Zero ? client.NegotiatedSessionTimeout : _options.SessionTimeout;
        var sinceContact = _time.GetElapsedTime(client.LastServerContactTimestamp);
        var grace = _options.OwnershipLossPolicy.GraceFor(sessionTimeout) - sinceContact;
        if (grace <= TimeSpan.Zero)
        {
            after.Add(() => LoseOwnership(session, "the connection was suspended (loss policy: no grace left)"));
        }
        else
        {
            _graceTimer = _time.CreateTimer(_ => GraceExpired(client, session), null, grace, Timeout.InfiniteTimeSpan);
        }

        var expiry = sessionTimeout - sinceContact;
        _expiryTimer = _time.CreateTimer(_ => ExpireByClientClock(client), null, expiry > TimeSpan.Zero ? expiry : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void GraceExpired(IZooKeeperClient client, ZooKeeperSession session)
    {
        lock (_lock)
        {
            // A timer that raced with a reconnect must not end the ownership of a session that is back.
            if (!ReferenceEquals(client, _client) || _clientState != ZooKeeperState.Connecting || !ReferenceEquals(session, _session))
            {
                return;
            }
        }

        LoseOwnership(session, $"the connection stayed suspended past the grace ({_options.OwnershipLossPolicy.GraceFraction:0.##} of the session timeout)");
    }

    private void LoseOwnership(ZooKeeperSession session, string reason)
    {
        if (session.IsOwnershipLost)
        {
            return;
        }

        _logger.LogWarning("Giving up ownership under {Session}: {Reason}.", session, reason);
        CoreMetrics.OwnershipLost.Add(1, new KeyValuePair<string, object?>("reason", reason.StartsWith("the session", StringComparison.Ordinal) ? "lost" : "suspended"));
        session.LoseOwnership();
    }

    private void ExpireByClientClock(IZooKeeperClient client)
    {
        var after = new List<Action>();
        lock (_lock)
        {
            if (!ReferenceEquals(client, _client) || _clientState != ZooKeeperState.Connecting)
            {
                return;
            }

            DeclareLost(client, $"nothing was heard from the server for the session timeout ({client.NegotiatedSessionTimeout.TotalMilliseconds:0} ms)", after);
        }

        foreach (var action in after)
        {
            action();
        }
    }

    // Under _lock: the session is gone. Ownership ends, Lost is published, the old client is dropped, a new session opens.
    private void DeclareLost(IZooKeeperClient client, string reason, List<Action> after)
    {
        StopTimers();
        var session = _session;
        var sessionId = session?.SessionId ?? client.SessionId;
        _session = null;
        _client = null;
        client.StateChanged -= OnClientStateChanged;
        _logger.LogWarning("ZooKeeper session 0x{SessionId:x} is lost: {Reason}. Opening a new session.", sessionId, reason);
        if (_everConnected)
        {
            Publish(ConnectionState.Lost, sessionId, isNewSession: false);
        }

        var backoff = TimeSpan.FromMilliseconds(_lossesWithoutConnection == 0 ? 0 : Math.Min(5000, 100 << Math.Min(_lossesWithoutConnection, 6)));
        _lossesWithoutConnection++;
        after.Add(() =>
        {
            if (session is not null)
            {
                LoseOwnership(session, "the session was lost");
            }

            _ = client.DisposeAsync().AsTask();
            _ = Task.Run(() => OpenSessionAsync(backoff));
        });
    }

    // Under _lock.
    private void Publish(ConnectionState state, long sessionId, bool isNewSession)
    {
        var previous = _state;
        _state = state;
        var change = new ConnectionStateChange(state, previous, sessionId, isNewSession);
        _stateSignal.TrySetResult();
        _stateSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CoreMetrics.StateChanges.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));
        _logger.LogInformation("ZooKeeper connection: {Previous} -> {State} (session 0x{SessionId:x}{New}).", previous, state, sessionId, isNewSession ? ", new" : "");
        _events.Post(() => StateChanged?.Invoke(this, change));
    }

    // Under _lock.
    private void StopTimers()
    {
        _graceTimer?.Dispose();
        _graceTimer = null;
        _expiryTimer?.Dispose();
        _expiryTimer = null;
    }
}
