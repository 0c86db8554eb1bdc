using System.Buffers.Binary;
using System.Net.Sockets;

namespace Recipes.Testing.Internal;

/// <summary>
/// A deliberately minimal ZooKeeper connection over any stream: length-prefixed frames, the connect handshake and
/// raw requests. It shares no code with the real client so that tests of the client can trust it.
/// </summary>
internal sealed class RawZooKeeperConnection : IAsyncDisposable
{
    public const int CloseSessionOpCode = -11;
    private const int MaxFrame = 16 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly Socket? _socket;

    public RawZooKeeperConnection(Stream stream, Socket? socket = null)
    {
        _stream = stream;
        _socket = socket;
    }

    /// <summary>The local end of the TCP connection, when it is one.</summary>
    public System.Net.EndPoint? LocalEndPoint => _socket?.LocalEndPoint;

    /// <summary>Opens a TCP connection (no handshake yet).</summary>
    public static async Task<RawZooKeeperConnection> OpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return new RawZooKeeperConnection(new NetworkStream(socket, ownsSocket: true), socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The ConnectRequest payload: protocol 0, lastZxidSeen, timeOut, sessionId, passwd buffer, readOnly.</summary>
    public static byte[] BuildConnectRequest(long sessionId, ReadOnlySpan<byte> password, int timeoutMs, long lastZxidSeen = 0, bool readOnly = false)
    {
        var payload = new byte[4 + 8 + 4 + 8 + 4 + password.Length + 1];
        var span = payload.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, 0);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], lastZxidSeen);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], timeoutMs);
        BinaryPrimitives.WriteInt64BigEndian(span[16..], sessionId);
        BinaryPrimitives.WriteInt32BigEndian(span[24..], password.Length);
        password.CopyTo(span[28..]);
        span[^1] = readOnly ? (byte)1 : (byte)0;
        return payload;
    }

    /// <summary>Parses a ConnectResponse payload (36 or 37 bytes).</summary>
    public static ConnectResponse ParseConnectResponse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 20)
        {
            throw new InvalidDataException($"ConnectResponse too short: {payload.Length} bytes.");
        }

        var protocol = BinaryPrimitives.ReadInt32BigEndian(payload);
        var timeout = BinaryPrimitives.ReadInt32BigEndian(payload[4..]);
        var sessionId = BinaryPrimitives.ReadInt64BigEndian(payload[8..]);
        var length = BinaryPrimitives.ReadInt32BigEndian(payload[16..]);
        if (length < 0 || 20 + length > payload.Length)
        {
            throw new InvalidDataException($"ConnectResponse password length {length} does not fit.");
        }

        var password = payload.Slice(20, length).ToArray();
        var readOnly = payload.Length > 20 + length && payload[20 + length] != 0;
        return new ConnectResponse(protocol, timeout, sessionId, password, readOnly);
    }

    /// <summary>Sends a ConnectRequest and reads the ConnectResponse; null if the server closed without answering.</summary>
    public async Task<ConnectResponse?> HandshakeAsync(long sessionId, ReadOnlyMemory<byte> password, int timeoutMs, CancellationToken cancellationToken)
    {
        await WriteFrameAsync(BuildConnectRequest(sessionId, password.Span, timeoutMs), cancellationToken);
        var reply = await ReadFrameAsync(cancellationToken);
        return reply is null ? null : ParseConnectResponse(reply);
    }

    /// <summary>A new session with 16 zero bytes as password.</summary>
    public Task<ConnectResponse?> HandshakeNewSessionAsync(int timeoutMs, CancellationToken cancellationToken)
        => HandshakeAsync(0, new byte[16], timeoutMs, cancellationToken);

    /// <summary>Sends <c>RequestHeader{xid, type}</c> followed by <paramref name="body"/>.</summary>
    public async Task SendRequestAsync(int xid, int opCode, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var payload = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, xid);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), opCode);
        body.Span.CopyTo(payload.AsSpan(8));
        await WriteFrameAsync(payload, cancellationToken);
    }

    /// <summary>Writes one length-prefixed frame.</summary>
    public async Task WriteFrameAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.Span.CopyTo(frame.AsSpan(4));
        await _stream.WriteAsync(frame, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one frame's payload; null at end of stream (also when the stream ends inside a frame).</summary>
    public async Task<byte[]?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (await _stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken) < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 0 or > MaxFrame)
        {
            throw new InvalidDataException($"Frame length {length} is out of range.");
        }

        var payload = new byte[length];
        if (length > 0 && await _stream.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancellationToken) < length)
        {
            return null;
        }

        return payload;
    }

    /// <summary>Parses the 16-byte ReplyHeader at the start of a reply frame.</summary>
    public static (int Xid, long Zxid, int Error) ParseReplyHeader(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 16)
        {
            throw new InvalidDataException($"Reply too short: {payload.Length} bytes.");
        }

        return (BinaryPrimitives.ReadInt32BigEndian(payload), BinaryPrimitives.ReadInt64BigEndian(payload[4..]), BinaryPrimitives.ReadInt32BigEndian(payload[12..]));
    }

    /// <summary>Closes the connection with a TCP reset instead of a FIN.</summary>
    public void Abort()
    {
        if (_socket is not null)
        {
            try
            {
                _socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            }
            catch (ObjectDisposedException)
            {
            }
            catch (SocketException)
            {
            }
        }

        _stream.Dispose();
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
