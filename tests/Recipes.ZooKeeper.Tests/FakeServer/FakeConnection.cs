using System.Buffers.Binary;
using System.Net.Sockets;
using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>
/// The server side of one accepted client connection. The test drives it: read the client's frames, answer them
/// (or not) with <see cref="Reaction"/>s. Every read is bounded by <see cref="Timeout"/>, so a broken client fails
/// the test instead of hanging it.
/// </summary>
internal sealed class FakeConnection : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _pings;

    public FakeConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>The handshake the client sent (set by <see cref="ReadConnectRequestAsync"/>).</summary>
    public ConnectRequest ConnectRequest { get; private set; } = null!;

    /// <summary>The raw payload of the client's ConnectRequest frame (length prefix excluded).</summary>
    public byte[] ConnectRequestPayload { get; private set; } = [];

    /// <summary>Whether pings seen while reading are answered (xid -2). Default true.</summary>
    public bool AnswerPings { get; set; } = true;

    /// <summary>The number of pings the client sent on this connection (that this side has read).</summary>
    public int PingsSeen => Volatile.Read(ref _pings);

    public async Task ReadConnectRequestAsync()
    {
        ConnectRequestPayload = await ReadFrameAsync() ?? throw new EndOfStreamException("The client closed before sending a ConnectRequest.");
        var reader = new JuteReader(ConnectRequestPayload);
        ConnectRequest = ConnectRequest.Read(ref reader);
    }

    public Task SendConnectResponseAsync(
        int timeoutMs = 30_000, long sessionId = ScriptedZooKeeperServer.DefaultSessionId, byte[]? password = null, bool readOnly = false) =>
        SendAsync(Frames.ConnectResponse(timeoutMs, sessionId, password ?? ScriptedZooKeeperServer.DefaultPassword, readOnly));

    /// <summary>The next request; pings are answered (if <see cref="AnswerPings"/>) and skipped unless <paramref name="skipPings"/> is false.</summary>
    public async Task<ReceivedRequest> ReadRequestAsync(bool skipPings = true)
    {
        while (true)
        {
            var payload = await ReadFrameAsync() ?? throw new EndOfStreamException("The client closed the connection.");
            var request = Parse(payload);
            if (request.Type == OpCode.Ping && await OnPingAsync() && skipPings)
            {
                continue;
            }

            return request;
        }
    }

    /// <summary>Reads <paramref name="count"/> requests (pings skipped).</summary>
    public async Task<List<ReceivedRequest>> ReadRequestsAsync(int count)
    {
        var list = new List<ReceivedRequest>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(await ReadRequestAsync());
        }

        return list;
    }

    public Task ReplyAsync(ReceivedRequest request, Action<JuteWriter>? body = null, ErrorCode err = ErrorCode.Ok, long zxid = 0x10) =>
        SendAsync(Frames.Reply(request.Xid, zxid, err, body));

    public async Task ReactAsync(Reaction reaction)
    {
        switch (reaction)
        {
            case Reaction.SilentReaction:
                return;
            case Reaction.CloseReaction:
                Close();
                return;
            case Reaction.CloseAfterReaction closeAfter:
                await SendAsync(closeAfter.Bytes);
                Close();
                return;
            case Reaction.AnswerReaction answer:
                await _writeLock.WaitAsync();
                try
                {
                    for (var offset = 0; offset < answer.Bytes.Length; offset += answer.ChunkSize)
                    {
                        if (offset > 0 && answer.Pause > TimeSpan.Zero)
                        {
                            await Task.Delay(answer.Pause);
                        }

                        var count = Math.Min(answer.ChunkSize, answer.Bytes.Length - offset);
                        await _stream.WriteAsync(answer.Bytes.AsMemory(offset, count));
                        await _stream.FlushAsync();
                    }
                }
                finally
                {
                    _writeLock.Release();
                }

                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(reaction), reaction, "Unknown reaction.");
        }
    }

    /// <summary>Answers each request with what <paramref name="script"/> says, until the client closes or a reaction closes.</summary>
    public async Task ServeAsync(Func<ReceivedRequest, Reaction> script)
    {
        while (true)
        {
            ReceivedRequest request;
            try
            {
                request = await ReadRequestAsync();
            }
            catch (EndOfStreamException)
            {
                return;
            }

            var reaction = script(request);
            await ReactAsync(reaction);
            if (reaction is Reaction.CloseReaction or Reaction.CloseAfterReaction)
            {
                return;
            }
        }
    }

    public Task SendAsync(byte[] bytes) => ReactAsync(Reaction.Answer(bytes));

    /// <summary>Reads (answering pings when <see cref="AnswerPings"/>) until the client closes; returns the other requests seen.</summary>
    public async Task<List<ReceivedRequest>> WaitForClientCloseAsync()
    {
        var seen = new List<ReceivedRequest>();
        while (true)
        {
            var payload = await ReadFrameAsync();
            if (payload is null)
            {
                return seen;
            }

            var request = Parse(payload);
            if (request.Type == OpCode.Ping)
            {
                await OnPingAsync();
                continue;
            }

            seen.Add(request);
        }
    }

    /// <summary>Closes the TCP connection from the server side.</summary>
    public void Close() => _tcp.Dispose();

    public ValueTask DisposeAsync()
    {
        Close();
        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ReceivedRequest Parse(byte[] payload)
    {
        var reader = new JuteReader(payload);
        var header = RequestHeader.Read(ref reader);
        return new ReceivedRequest(header.Xid, header.Type, payload[8..]);
    }

    private async Task<bool> OnPingAsync()
    {
        Interlocked.Increment(ref _pings);
        if (AnswerPings)
        {
            await SendAsync(Frames.Reply(Xids.Ping, zxid: 0x10));
        }

        return true;
    }

    /// <summary>One frame's payload, or null if the client closed the connection at a frame boundary.</summary>
    private async Task<byte[]?> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var length = new byte[4];
        try
        {
            if (!await ReadExactlyOrEndAsync(length, timeout.Token))
            {
                return null;
            }

            var size = BinaryPrimitives.ReadInt32BigEndian(length);
            if (size is < 0 or > 16 * 1024 * 1024)
            {
                throw new InvalidDataException($"The client sent a frame of length {size}.");
            }

            var payload = new byte[size];
            if (!await ReadExactlyOrEndAsync(payload, timeout.Token))
            {
                throw new EndOfStreamException("The client closed the connection in the middle of a frame.");
            }

            return payload;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The scripted server heard nothing from the client for {Timeout.TotalSeconds} s.");
        }
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            }
            catch (IOException) when (read == 0)
            {
                // A reset from the client counts as a close.
                return false;
            }

            if (n == 0 && read == 0)
            {
                return false;
            }

            if (n == 0)
            {
                throw new EndOfStreamException("The client closed the connection in the middle of a frame.");
            }

            read += n;
        }

        return true;
    }
}
