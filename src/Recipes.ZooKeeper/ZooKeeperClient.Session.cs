using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper.Internal;
using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper;

// The connection loop: connect, handshake, run the connection until it dies, reconnect with the same session.
public sealed partial class ZooKeeperClient
{
    private int _connectionCount;

    private async Task RunAsync()
    {
        var lifetime = _lifetime.Token;
        var hostIndex = 0;
        var failures = 0;
        try
        {
            while (!lifetime.IsCancellationRequested && !_closeRequested)
            {
                var host = _hosts[hostIndex];
                hostIndex = (hostIndex + 1) % _hosts.Count;
                Connection? connection;
                try
                {
                    connection = await ConnectToAsync(host, lifetime).ConfigureAwait(false);
                }
                catch (Exception exception) when (!lifetime.IsCancellationRequested)
                {
                    failures++;
                    _lastConnectError = $"{host}: {exception.Message}";
                    _logger.Log(failures <= _hosts.Count ? LogLevel.Information : LogLevel.Debug,
                        "Could not connect to ZooKeeper at {Host}: {Reason}", host, exception.Message);
                    FailQueued(new ConnectionLossException(null, $"Not connected to ZooKeeper (last attempt, {host}: {exception.Message}).", exception));
                    await Task.Delay(ReconnectDelay(failures), _time, lifetime).ConfigureAwait(false);
                    continue;
                }

                if (connection is null)
                {
                    _logger.LogWarning("ZooKeeper session 0x{SessionId:x} has expired (reported by {Host}).", SessionId, host);
                    EnterTerminal(ZooKeeperState.Expired);
                    break;
                }

                failures = 0;
                if (++_connectionCount > 1)
                {
                    ClientMetrics.Reconnects.Add(1);
                }

                var reason = await RunConnectionAsync(connection).ConfigureAwait(false);
                if (lifetime.IsCancellationRequested || _closeRequested)
                {
                    break;
                }

                _logger.LogWarning("Connection to ZooKeeper at {Host} lost ({Reason}); reconnecting with session 0x{SessionId:x}.",
                    connection.Host, reason.Message, SessionId);
                SetState(ZooKeeperState.Connecting);
                FailQueued(new ConnectionLossException(null, $"Connection to ZooKeeper lost: {reason.Message}", reason));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 50)), _time, lifetime).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "The ZooKeeper connection loop failed unexpectedly; closing the client.");
        }
        finally
        {
            EnterTerminal(ZooKeeperState.Closed);
        }
    }

    private TimeSpan ReconnectDelay(int failures)
    {
        // A first pass over the hosts goes quickly; then back off (up to 1 s) with jitter.
        var cycle = (failures - 1) / _hosts.Count;
        var baseMs = cycle == 0 ? 0 : Math.Min(1000, 50 << Math.Min(cycle, 5));
        return TimeSpan.FromMilliseconds(baseMs + Random.Shared.Next(0, 100));
    }

    private TimeSpan ConnectTimeout()
    {
        if (_options.ConnectTimeout is { } configured)
        {
            return configured;
        }

        var sessionMs = _negotiatedTimeoutMs > 0 ? _negotiatedTimeoutMs : _options.SessionTimeout.TotalMilliseconds;
        // A third of the session at most, so a host that accepts TCP but never answers the handshake (a server still
        // starting, a half-dead machine) cannot use up the session before the next host or attempt.
        return TimeSpan.FromMilliseconds(Math.Max(1000, Math.Min(sessionMs / _hosts.Count, sessionMs / 3)));
    }

    /// <summary>Connects and handshakes. Returns null when the server says the session has expired.</summary>
    private async Task<Connection?> ConnectToAsync(HostEndpoint host, CancellationToken lifetime)
    {
        var timeout = ConnectTimeout();
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(lifetime, timeoutSource.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            var writer = new JuteWriter(128);
            var start = writer.BeginFrame();
            var sessionId = SessionId;
            var password = sessionId == 0 ? EmptyPassword : Volatile.Read(ref _password);
            new ConnectRequest(0, LastZxid, (int)_options.SessionTimeout.TotalMilliseconds, sessionId, password, _options.CanBeReadOnly).Write(writer);
            writer.EndFrame(start);
            var request = writer.WrittenMemory;
            long sentAt;
            byte[] frame;
            if (_options.Tls is { } tls)
            {
                await socket.ConnectAsync(host.Host, host.Port, linked.Token).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: true);
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(CreateSslOptions(tls, host), linked.Token).ConfigureAwait(false);
                sentAt = _time.GetTimestamp();
                await stream.WriteAsync(request, linked.Token).ConfigureAwait(false);
                frame = await ReadHandshakeFrameAsync(stream, linked.Token).ConfigureAwait(false);
            }
            else
            {
                // Plain TCP: connect and handshake with blocking calls on a thread of their own. An asynchronous operation
                // that has to wait registers the socket with the runtime's socket-event thread for good, which would then
                // be woken by every reply besides the connection's reader (see ZooKeeperClient.Reader.cs).
                (stream, sentAt, frame) = await RunBlockingAsync(
                    socket,
                    () =>
                    {
                        socket.Connect(host.Host, host.Port);
                        var network = new NetworkStream(socket, ownsSocket: true);
                        var sent = _time.GetTimestamp();
                        network.Write(request.Span);
                        return ((Stream)network, sent, ReadHandshakeFrame(network));
                    },
                    linked.Token).ConfigureAwait(false);
            }

            var response = ParseConnectResponse(frame);
            if (response.TimeOut <= 0)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                if (sessionId == 0)
                {
                    throw new ZooKeeperProtocolException($"{host} refused to create a session (negotiated time-out {response.TimeOut}).");
                }

                return null;
            }

            if (sessionId != 0 && response.SessionId != sessionId)
            {
                _logger.LogWarning("{Host} answered with session 0x{New:x} instead of 0x{Old:x}.", host, response.SessionId, sessionId);
            }

            Interlocked.Exchange(ref _sessionId, response.SessionId);
            Volatile.Write(ref _password, response.Password);
            Volatile.Write(ref _negotiatedTimeoutMs, response.TimeOut);
            Interlocked.Exchange(ref _lastReceived, _time.GetTimestamp());
            NoteServerContact(sentAt);
            _logger.LogDebug("Connected to {Host}: session 0x{SessionId:x}, negotiated time-out {Timeout} ms{ReadOnly}.",
                host, response.SessionId, response.TimeOut, response.ReadOnly ? " (read-only)" : "");
            return new Connection(stream, host, response.TimeOut, response.ReadOnly) { LastSendTimestamp = _time.GetTimestamp() };
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !lifetime.IsCancellationRequested)
        {
            await DisposeQuietly(stream, socket).ConfigureAwait(false);
            throw new TimeoutException($"connecting and handshaking took longer than {timeout.TotalMilliseconds:0} ms");
        }
        catch
        {
            await DisposeQuietly(stream, socket).ConfigureAwait(false);
            throw;
        }
    }

    private static ConnectResponse ParseConnectResponse(byte[] frame)
    {
        var reader = new JuteReader(frame);
        return ConnectResponse.Read(ref reader);
    }

    private static async Task DisposeQuietly(Stream? stream, Socket socket)
    {
        try
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
        }
        catch (Exception)
        {
            // Already broken; nothing to add.
        }
    }

    /// <summary>
    /// Runs blocking socket work on a new thread (not the pool's: a connect may block for its whole time-out). Cancelling
    /// <paramref name="cancellationToken"/> disposes <paramref name="socket"/>, which aborts the blocking call.
    /// </summary>
    private static Task<T> RunBlockingAsync<T>(Socket socket, Func<T> work, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var abort = cancellationToken.UnsafeRegister(static state => ((Socket)state!).Dispose(), socket);
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = "ZooKeeper connect",
        };
        thread.UnsafeStart();
        return done.Task;
    }

    private static byte[] ReadHandshakeFrame(Stream stream)
    {
        var lengthBytes = new byte[4];
        stream.ReadExactly(lengthBytes);
        var frame = new byte[CheckHandshakeLength(BinaryPrimitives.ReadInt32BigEndian(lengthBytes))];
        stream.ReadExactly(frame);
        return frame;
    }

    private static int CheckHandshakeLength(int length) =>
        length is < 16 or > 1024
            ? throw new ZooKeeperProtocolException($"The server's ConnectResponse has an impossible length {length}.")
            : length;

    private static async Task<byte[]> ReadHandshakeFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var lengthBytes = new byte[4];
        await stream.ReadExactlyAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
        var frame = new byte[CheckHandshakeLength(BinaryPrimitives.ReadInt32BigEndian(lengthBytes))];
        await stream.ReadExactlyAsync(frame, cancellationToken).ConfigureAwait(false);
        return frame;
    }

    private static SslClientAuthenticationOptions CreateSslOptions(ZooKeeperTlsOptions tls, HostEndpoint host)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = tls.TargetHost ?? host.Host,
            ClientCertificates = tls.ClientCertificates,
            EnabledSslProtocols = tls.EnabledProtocols,
            CertificateRevocationCheckMode = tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
        };

        if (tls.ServerCertificateValidation is not null)
        {
            options.RemoteCertificateValidationCallback = tls.ServerCertificateValidation;
        }
        else if (tls.TrustedRoots is { Count: > 0 } roots)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                ValidateWithTrustedRoots(certificate, errors, roots, tls.CheckCertificateRevocation);
        }

        return options;
    }

    private static bool ValidateWithTrustedRoots(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots, bool checkRevocation)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Name mismatches and missing certificates are never forgiven; only the chain is re-checked against our roots.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
