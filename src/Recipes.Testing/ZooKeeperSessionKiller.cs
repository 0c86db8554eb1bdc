using System.Net.Sockets;
using Recipes.Testing.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Testing;

/// <summary>
/// Expires a session on the server, the way Curator's tests long did it: a second connection attaches to the
/// session with its id and password (the server then drops the victim's connection) and sends <c>closeSession</c>.
/// The session and its ephemeral nodes are gone; the victim learns it is expired when it reconnects.
/// </summary>
/// <remarks>This speaks the wire protocol itself and does not use the client under test.</remarks>
public static class ZooKeeperSessionKiller
{
    private const int Attempts = 5;
    private const int RequestedTimeoutMs = 10_000;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Expires the session <paramref name="sessionId"/> on the server and waits until the server has closed it.</summary>
    /// <param name="connectionString">
    /// <c>host:port[,host:port...][/chroot]</c>; the first reachable host is used and the chroot is ignored.
    /// </param>
    /// <param name="sessionId">The victim's session id.</param>
    /// <param name="password">The victim's session password (16 bytes).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="InvalidOperationException">The session had already expired (or never existed), or no host answered.</exception>
    public static async Task KillAsync(string connectionString, long sessionId, ReadOnlyMemory<byte> password, CancellationToken cancellationToken = default)
    {
        var hosts = HostList.Parse(connectionString);
        if (sessionId == 0)
        {
            throw new ArgumentException("Session id 0 is not a session.", nameof(sessionId));
        }

        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(AttemptTimeout);
            try
            {
                await using var connection = await ConnectFirstReachableAsync(hosts, connectionString, timeout.Token);
                var response = await connection.HandshakeAsync(sessionId, password, RequestedTimeoutMs, timeout.Token);
                if (response is null)
                {
                    // The server closed without answering; try again.
                    continue;
                }

                if (response.IsExpired)
                {
                    if (attempt == 1)
                    {
                        throw new InvalidOperationException($"Session 0x{sessionId:x} has already expired (or the password is wrong).");
                    }

                    // An earlier attempt's closeSession went through before its reply could be read.
                    return;
                }

                await connection.SendRequestAsync(1, RawZooKeeperConnection.CloseSessionOpCode, ReadOnlyMemory<byte>.Empty, timeout.Token);
                while (await connection.ReadFrameAsync(timeout.Token) is { } frame)
                {
                    var (xid, _, _) = RawZooKeeperConnection.ParseReplyHeader(frame);
                    if (xid == 1)
                    {
                        // Any answer to closeSession means the session is closed (an error would be "already gone").
                        return;
                    }
                }

                // The connection ended before the reply: either the close went through and the server hung up, or
                // the victim re-attached and took the session back. The next attempt tells which.
            }
            catch (Exception e) when (e is IOException or SocketException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt == Attempts)
                {
                    throw new InvalidOperationException($"Could not expire session 0x{sessionId:x} via '{connectionString}'.", e);
                }
            }
        }

        throw new InvalidOperationException($"Could not expire session 0x{sessionId:x} after {Attempts} attempts.");
    }

    /// <summary>Expires <paramref name="client"/>'s current session on the server.</summary>
    /// <param name="connectionString">
    /// <c>host:port[,host:port...][/chroot]</c> of the server or ensemble; the first reachable host is used.
    /// </param>
    /// <param name="client">The client whose <see cref="IZooKeeperClient.SessionId"/> and password are used.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public static Task KillAsync(string connectionString, IZooKeeperClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var sessionId = client.SessionId;
        if (sessionId == 0)
        {
            throw new InvalidOperationException("The client has no session yet.");
        }

        return KillAsync(connectionString, sessionId, client.SessionPassword.ToArray(), cancellationToken);
    }

    private static async Task<RawZooKeeperConnection> ConnectFirstReachableAsync(
        IReadOnlyList<(string Host, int Port)> hosts, string connectionString, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var (host, port) in hosts)
        {
            try
            {
                return await RawZooKeeperConnection.OpenAsync(host, port, cancellationToken);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }

        throw new InvalidOperationException($"No host of '{connectionString}' accepted a connection.", last);
    }
}
