using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper.Internal;
using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper;

// One connection at work: a writer that batches queued requests into few writes, a reader that matches replies
// to the FIFO of pending requests, and a pinger that keeps the session alive and detects a silent server.
public sealed partial class ZooKeeperClient
{
    private const int WriteBatchBytes = 256 * 1024;
    private static readonly Request PingRequest = new Request<bool>(OpCode.Ping, EmptyRequest.Instance, null, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true);
    private int _xid;

    /// <summary>Queued by <see cref="EndWriteBatch"/> to make an idle writer write what a batch held; never sent.</summary>
    private static readonly Request FlushMarker = new Request<bool>(OpCode.Ping, EmptyRequest.Instance, null, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true);

    /// <summary>The managed thread id of the open write batch (<see cref="BatchWrites"/>); 0 when none is open.</summary>
    private int _batchThreadId;

    /// <summary>How many writes the writer made to connections (for tests: a batch is one write).</summary>
    internal long WriteCount => Interlocked.Read(ref _writeCount);

    private long _writeCount;

    /// <inheritdoc />
    public ZooKeeperWriteBatch BatchWrites()
    {
        var thread = Environment.CurrentManagedThreadId;
        return Interlocked.CompareExchange(ref _batchThreadId, thread, 0) == 0 ? new ZooKeeperWriteBatch(this, thread) : default;
    }

    /// <summary>Ends the batch opened on <paramref name="threadId"/> and has what it held written.</summary>
    internal void EndWriteBatch(int threadId)
    {
        if (Interlocked.CompareExchange(ref _batchThreadId, 0, threadId) == threadId)
        {
            // An idle writer resumes here (synchronous continuations), writes what it held and goes back to waiting.
            _outgoing.Writer.TryWrite(FlushMarker);
        }
    }

    /// <summary>Runs a connection until it fails; fails what was pending on it; returns why it ended.</summary>
    private async Task<Exception> RunConnectionAsync(Connection connection)
    {
        var priority = ReconnectRequests();
        SetState(connection.ReadOnly ? ZooKeeperState.ConnectedReadOnly : ZooKeeperState.Connected);
        var token = connection.Cancellation.Token;
        var reader = ReaderCrew.Start(this, connection);
        var writer = Task.Run(() => WriteLoopAsync(connection, priority, token), CancellationToken.None);
        var pinger = PingLoopAsync(connection, token);
        var first = await Task.WhenAny(reader, writer, pinger).ConfigureAwait(false);
        var reason = first.Exception?.GetBaseException() ?? new IOException("the connection was closed");
        await connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(reader, writer, pinger).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Every loop ends with an exception once the stream is gone; the first one is the reason.
        }

        var failure = _terminalException ?? reason;
        while (connection.Pending.TryDequeue(out var request))
        {
            ClientMetrics.InFlight.Add(-1);
            request.Fail(ForRequest(failure, request));
        }

        while (connection.PendingAuth.TryDequeue(out var auth))
        {
            auth.Fail(ForRequest(failure, auth));
        }

        return reason;
    }

    /// <summary>What a new connection sends before anything else: every auth, then the watch re-registrations.</summary>
    private List<Request> ReconnectRequests()
    {
        var requests = new List<Request>();
        lock (_auth)
        {
            foreach (var auth in _auth)
            {
                var request = new Request<bool>(OpCode.Auth, new AuthPacket(0, auth.Scheme, auth.Auth), null, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true);

                // Nobody awaits a re-sent auth: a rejection is logged (and ends the client) where its reply is handled,
                // so only observe the failure here, or it surfaces later as an unobserved task exception.
                _ = request.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                requests.Add(request);
            }
        }

        var snapshot = _watches.Snapshot();
        if (!snapshot.IsEmpty)
        {
            foreach (var batch in SetWatchesBatches(snapshot, LastZxid))
            {
                var request = new Request<bool>(batch.OpCode, batch, null, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true);
                _ = request.Task.ContinueWith(
                    static (t, state) => ((ILogger)state!).LogWarning(t.Exception?.GetBaseException(), "Re-registering watches after a reconnect failed."),
                    _logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                requests.Add(request);
            }
        }

        return requests;
    }

    /// <summary>Splits the watch paths into SetWatches requests of at most ~128 KiB of path text each.</summary>
    private IEnumerable<SetWatchesRequest> SetWatchesBatches(WatchSnapshot snapshot, long relativeZxid)
    {
        const int MaxChars = 128 * 1024;
        var lists = new[] { snapshot.Data, snapshot.Exist, snapshot.Child, snapshot.Persistent, snapshot.PersistentRecursive };
        var current = new[] { new List<string>(), new List<string>(), new List<string>(), new List<string>(), new List<string>() };
        var chars = 0;
        for (var kind = 0; kind < lists.Length; kind++)
        {
            foreach (var path in lists[kind])
            {
                var serverPath = _chroot.ToServer(path);
                if (chars > 0 && chars + serverPath.Length > MaxChars)
                {
                    yield return new SetWatchesRequest(relativeZxid, current[0], current[1], current[2], current[3], current[4]);
                    current = [[], [], [], [], []];
                    chars = 0;
                }

                current[kind].Add(serverPath);
                chars += serverPath.Length;
            }
        }

        if (chars > 0)
        {
            yield return new SetWatchesRequest(relativeZxid, current[0], current[1], current[2], current[3], current[4]);
        }
    }

    private async Task WriteLoopAsync(Connection connection, List<Request> priority, CancellationToken cancellationToken)
    {
        var writer = new JuteWriter(64 * 1024);
        foreach (var request in priority)
        {
            Serialize(connection, writer, request);
        }

        await FlushAsync(connection, writer, cancellationToken).ConfigureAwait(false);
        var queue = _outgoing.Reader;
        while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (writer.Length < WriteBatchBytes && queue.TryRead(out var request))
            {
                if (!request.IsCompleted && !ReferenceEquals(request, FlushMarker))
                {
                    Serialize(connection, writer, request);
                }
            }

            // Running for the thread of an open write batch: keep what was serialized until the batch ends (its
            // flush marker, or a request from any other thread, brings the writer back here), unless it is this big.
            if (writer.Length >= WriteBatchBytes || Volatile.Read(ref _batchThreadId) != Environment.CurrentManagedThreadId)
            {
                await FlushAsync(connection, writer, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new IOException("the client is closing");
    }

    private async ValueTask FlushAsync(Connection connection, JuteWriter writer, CancellationToken cancellationToken)
    {
        if (writer.Length == 0)
        {
            return;
        }

        await connection.Stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _writeCount);
        writer.Reset();
        Interlocked.Exchange(ref connection.LastSendTimestamp, _time.GetTimestamp());
    }

    private void Serialize(Connection connection, JuteWriter writer, Request request)
    {
        var mark = writer.Length;
        var xid = request.OpCode switch
        {
            OpCode.Ping => Xids.Ping,
            OpCode.Auth => Xids.Auth,
            _ => NextXid(),
        };

        try
        {
            var start = writer.BeginFrame();
            new RequestHeader(xid, request.OpCode).Write(writer);
            request.Record.Write(writer);
            var length = writer.EndFrame(start);
            if (length > _options.MaxOutgoingFrameSize)
            {
                writer.Truncate(mark);
                request.Fail(new ArgumentException(
                    $"The {request.OpCode} request for '{request.Path}' is {length} bytes, more than the {_options.MaxOutgoingFrameSize}-byte limit " +
                    "(the server's jute.maxbuffer; it would drop the connection). Nothing was sent."));
                return;
            }
        }
        catch (ArgumentException exception)
        {
            writer.Truncate(mark);
            request.Fail(new ArgumentException($"The {request.OpCode} request for '{request.Path}' could not be encoded: {exception.Message}", exception));
            return;
        }

        request.Xid = xid;
        switch (request.OpCode)
        {
            case OpCode.Ping:
                // Taken before the write: a conservative "the server heard us no earlier than this".
                connection.PendingPings.Enqueue(_time.GetTimestamp());
                return;
            case OpCode.Auth:
                connection.PendingAuth.Enqueue(request);
                return;
            default:
                request.StartTimestamp = _time.GetTimestamp();
                connection.Pending.Enqueue(request);
                ClientMetrics.InFlight.Add(1);
                return;
        }
    }

    private int NextXid()
    {
        var xid = Interlocked.Increment(ref _xid);
        if (xid > 0)
        {
            return xid;
        }

        // Wrapped past int.MaxValue: start again at 1 (the writer is the only caller, so no race).
        Interlocked.Exchange(ref _xid, 1);
        return 1;
    }

    /// <summary>Handles one frame; a request whose reply it was is added to <paramref name="ready"/> for delivery.</summary>
    private void ProcessFrame(Connection connection, ReadOnlySpan<byte> frame, List<Request> ready)
    {
        var reader = new JuteReader(frame);
        var header = ReplyHeader.Read(ref reader);
        switch (header.Xid)
        {
            case Xids.Notification:
                HandleNotification(ref reader);
                return;
            case Xids.Ping:
                if (connection.PendingPings.TryDequeue(out var pingSent))
                {
                    NoteServerContact(pingSent);
                }

                return;
            case Xids.Auth:
                HandleAuthReply(connection, header, ready);
                return;
        }

        if (!connection.Pending.TryDequeue(out var request))
        {
            throw new ZooKeeperProtocolException($"{connection.Host} sent a reply (xid {header.Xid}, error {header.Err}) while no request was pending.");
        }

        ClientMetrics.InFlight.Add(-1);
        if (request.Xid != header.Xid)
        {
            var problem = new ZooKeeperProtocolException($"{connection.Host} sent a reply out of order: xid {header.Xid}, expected {request.Xid}.");
            request.Fail(new ConnectionLossException(request.Path, problem.Message, problem));
            throw problem;
        }

        NoteServerContact(request.StartTimestamp);
        if (header.Zxid > 0 && header.Zxid > Interlocked.Read(ref _lastZxid))
        {
            Interlocked.Exchange(ref _lastZxid, header.Zxid);
        }

        try
        {
            if (request.OnReply(header, ref reader, _replyContext))
            {
                ready.Add(request);
            }
        }
        catch (ZooKeeperProtocolException problem)
        {
            request.Fail(new ConnectionLossException(request.Path, $"Malformed reply to {request.OpCode} '{request.Path}': {problem.Message}", problem));
            throw;
        }

        ClientMetrics.Completed(request, header.Err == ErrorCode.Ok ? "ok" : header.Err.ToString(), _time);
    }

    private void HandleAuthReply(Connection connection, ReplyHeader header, List<Request> ready)
    {
        connection.PendingAuth.TryDequeue(out var request);
        if (header.Err == ErrorCode.Ok)
        {
            var empty = new JuteReader([]);
            if (request is not null && request.OnReply(header, ref empty, _replyContext))
            {
                ready.Add(request);
            }

            return;
        }

        _logger.LogError("ZooKeeper rejected authentication ({Error}); the client is closed.", header.Err);
        request?.Fail(new AuthFailedException(null, $"ZooKeeper rejected the authentication ({header.Err})."));
        EnterTerminal(header.Err == ErrorCode.AuthFailed ? ZooKeeperState.AuthFailed : ZooKeeperState.Closed);
    }

    /// <summary>The server answered something we sent at <paramref name="sentTimestamp"/>: it heard us no earlier than that.</summary>
    private void NoteServerContact(long sentTimestamp)
    {
        long current;
        while (sentTimestamp > (current = Interlocked.Read(ref _lastServerContact)))
        {
            if (Interlocked.CompareExchange(ref _lastServerContact, sentTimestamp, current) == current)
            {
                return;
            }
        }
    }

    private async Task PingLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        var readTimeout = connection.ReadTimeout;
        var pingInterval = connection.PingInterval;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(pingInterval.TotalMilliseconds / 4, 50, 1000));
        while (true)
        {
            await Task.Delay(tick, _time, cancellationToken).ConfigureAwait(false);
            var silent = _time.GetElapsedTime(Interlocked.Read(ref _lastReceived));
            if (silent > readTimeout)
            {
                throw new TimeoutException($"heard nothing from {connection.Host} for {silent.TotalMilliseconds:0} ms (read time-out {readTimeout.TotalMilliseconds:0} ms)");
            }

            if (_time.GetElapsedTime(Interlocked.Read(ref connection.LastSendTimestamp)) >= pingInterval)
            {
                _outgoing.Writer.TryWrite(PingRequest);
            }
        }
    }
}
