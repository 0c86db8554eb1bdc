using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Recipes.Testing.Internal;

namespace Recipes.Testing.Tests;

public sealed class TlsServerTests
{
    [Fact]
    public async Task Secure_port_completes_a_tls_handshake_and_a_zookeeper_handshake()
    {
        var options = new ZooKeeperTestServerOptions { EnableTls = true, SuperDigest = "super:secret", StartTimeout = TimeSpan.FromSeconds(90) };
        await using var server = await ZooKeeperTestServer.StartAsync(options);
        Assert.NotEqual(server.Port, server.SecurePort);
        Assert.Equal($"127.0.0.1:{server.SecurePort}", server.SecureConnectionString);
        Assert.False(server.TlsCertificate.HasPrivateKey);
        Assert.Equal("CN=localhost", server.TlsCertificate.Subject);
        Assert.False(server.TlsCertificateAuthority.HasPrivateKey);
        Assert.Equal(server.TlsCertificateAuthority.Subject, server.TlsCertificate.Issuer);
        Assert.Equal(server.TlsCertificateAuthority.Subject, server.TlsCertificateAuthority.Issuer);

        // The plaintext port is served by Netty too (this needs netty-codec on the class path).
        Assert.Equal("imok", await server.SendFourLetterWordAsync("ruok"));

        foreach (var targetHost in new[] { "localhost", "127.0.0.1" })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", server.SecurePort);
            await using var tls = new SslStream(tcp.GetStream());
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.Add(server.TlsCertificateAuthority);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                CertificateChainPolicy = policy,
            });
            Assert.True(tls.IsAuthenticated);

            var raw = new RawZooKeeperConnection(tls);
            await raw.WriteFrameAsync(RawZooKeeperConnection.BuildConnectRequest(0, new byte[16], 5000), CancellationToken.None);
            var reply = await raw.ReadFrameAsync(CancellationToken.None);
            Assert.NotNull(reply);
            Assert.Equal(37, reply.Length);
            var session = RawZooKeeperConnection.ParseConnectResponse(reply);
            Assert.Equal(5000, session.Timeout);
            Assert.NotEqual(0, session.SessionId);
            Assert.Equal(16, session.Password.Length);
            await raw.SendRequestAsync(1, RawZooKeeperConnection.CloseSessionOpCode, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
            Assert.True(await RawRequests.ReadUntilClosedAsync(raw, CancellationToken.None));
        }
    }
}
