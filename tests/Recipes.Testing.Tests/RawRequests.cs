using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Recipes.Testing.Internal;

namespace Recipes.Testing.Tests;

/// <summary>A few hand-encoded requests, enough to observe sessions and ephemerals without the real client.</summary>
internal static class RawRequests
{
    public const int CreateOp = 1;
    public const int ExistsOp = 3;
    public const int PingOp = 11;
    public const int NoNode = -101;

    public static byte[] Create(string path, bool ephemeral)
    {
        var body = new List<byte>();
        AddString(body, path);
        AddInt(body, -1); // null data
        AddInt(body, 1); // one ACL: world:anyone, all permissions
        AddInt(body, 31);
        AddString(body, "world");
        AddString(body, "anyone");
        AddInt(body, ephemeral ? 1 : 0);
        return body.ToArray();
    }

    public static byte[] Exists(string path)
    {
        var body = new List<byte>();
        AddString(body, path);
        body.Add(0);
        return body.ToArray();
    }

    /// <summary>Sends one request and returns the error code of its reply.</summary>
    public static async Task<int> CallAsync(RawZooKeeperConnection connection, int xid, int op, byte[] body, CancellationToken cancellationToken)
    {
        await connection.SendRequestAsync(xid, op, body, cancellationToken);
        while (true)
        {
            var frame = await connection.ReadFrameAsync(cancellationToken) ?? throw new IOException("Connection closed before the reply.");
            var (replyXid, _, error) = RawZooKeeperConnection.ParseReplyHeader(frame);
            if (replyXid == xid)
            {
                return error;
            }
        }
    }

    /// <summary>A connected raw session (new session, 10 s requested timeout).</summary>
    public static async Task<(RawZooKeeperConnection Connection, ConnectResponse Session)> NewSessionAsync(int port, CancellationToken cancellationToken)
    {
        var connection = await RawZooKeeperConnection.OpenAsync("127.0.0.1", port, cancellationToken);
        var session = await connection.HandshakeNewSessionAsync(10_000, cancellationToken) ?? throw new IOException("No ConnectResponse.");
        Assert.False(session.IsExpired);
        return (connection, session);
    }

    /// <summary>Reads until the server closes the connection; true if it did (EOF or reset).</summary>
    public static async Task<bool> ReadUntilClosedAsync(RawZooKeeperConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            while (await connection.ReadFrameAsync(cancellationToken) is not null)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static void AddInt(List<byte> body, int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        body.AddRange(bytes);
    }

    private static void AddString(List<byte> body, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AddInt(body, bytes.Length);
        body.AddRange(bytes);
    }
}
