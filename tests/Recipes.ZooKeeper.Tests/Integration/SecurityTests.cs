using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Recipes.Testing;
using Recipes.ZooKeeper.Tests.FakeServer;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>TLS with certificate validation on by default, wrong credentials, and secrets kept out of every log.</summary>
public sealed class SecurityTests(TlsServerFixture fixture) : IClassFixture<TlsServerFixture>
{
    private static readonly TimeSpan ShortSession = TimeSpan.FromSeconds(6);

    /// <summary>A JVM's first TLS handshakes can take seconds on a busy machine.</summary>
    private static readonly TimeSpan TlsConnectTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_client_trusting_the_test_CA_connects_and_every_other_one_fails_with_a_certificate_error()
    {
        var server = fixture.Server;
        await using (var trusted = await Clients.ConnectAsync(server.SecureConnectionString, TimeSpan.FromSeconds(15), o =>
        {
            o.Tls = TrustingTheCa();
            o.ConnectTimeout = TlsConnectTimeout;
        }))
        {
            var path = "/tls-ca-" + Guid.NewGuid().ToString("N")[..8];
            await trusted.CreateAsync(path, "ok"u8.ToArray(), CreateMode.Ephemeral);
            Assert.Equal("ok"u8.ToArray(), (await trusted.GetDataAsync(path)).Data);
        }

        // Validation is on by default: no trusted root configured, the machine's store does not know the test CA.
        var byDefault = await FailToConnectAsync(new ZooKeeperTlsOptions { TargetHost = "localhost" });
        Assert.Contains("certificate", byDefault, StringComparison.OrdinalIgnoreCase);

        // Trusting some other CA does not help.
        using var otherKey = RSA.Create(2048);
        using var otherCa = new CertificateRequest("CN=Some Other CA", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var otherRoot = await FailToConnectAsync(new ZooKeeperTlsOptions
        {
            TargetHost = "localhost",
            TrustedRoots = [X509CertificateLoader.LoadCertificate(otherCa.RawData)],
        });
        Assert.Contains("certificate", otherRoot, StringComparison.OrdinalIgnoreCase);

        // The right CA but the wrong name: a certificate for localhost does not vouch for another host.
        var wrongName = await FailToConnectAsync(new ZooKeeperTlsOptions
        {
            TargetHost = "zookeeper.example.org",
            TrustedRoots = [server.TlsCertificateAuthority],
        });
        Assert.Contains("certificate", wrongName, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unknown_auth_scheme_fails_clearly_with_AuthFailed_and_loses_nothing()
    {
        var server = fixture.Server;
        await using var alice = await Clients.ConnectAsync(server.ConnectionString, configure: o => o.AuthInfo.Add(ZooKeeperAuthInfo.Digest("alice", "alice-secret")));
        // Deleting needs DELETE on the parent, so the parent is alice's too.
        var parent = "/auth-" + Guid.NewGuid().ToString("N")[..8];
        var path = parent + "/data";
        await alice.CreateAsync(parent, null, acl: Acl.CreatorAllWorldRead);
        await alice.CreateAsync(path, "kept"u8.ToArray(), acl: Acl.CreatorAllWorldRead);

        // Rejected credentials in the options: the server answers the auth packet (sent first on the connection)
        // with AuthFailed and hangs up; the client ends in AuthFailed and every call says so.
        var options = new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = ShortSession };
        options.AuthInfo.Add(new ZooKeeperAuthInfo("no-such-scheme", "x:y"u8.ToArray()));
        var failed = await Assert.ThrowsAsync<AuthFailedException>(() => ConnectAndReadAsync(options));
        Assert.Contains("authentication", failed.Message, StringComparison.OrdinalIgnoreCase);

        // Rejected later: the client ends in AuthFailed and every call says so.
        await using var late = await Clients.ConnectAsync(server.ConnectionString);
        await Assert.ThrowsAsync<AuthFailedException>(() => late.AddAuthAsync(new ZooKeeperAuthInfo("no-such-scheme", "x:y"u8.ToArray())));
        Assert.Equal(ZooKeeperState.AuthFailed, late.State);
        await Assert.ThrowsAsync<AuthFailedException>(() => late.GetDataAsync(path));

        // A wrong digest password is not an identity failure but buys no rights: the data is untouched.
        await using var impostor = await Clients.ConnectAsync(server.ConnectionString, configure: o => o.AuthInfo.Add(ZooKeeperAuthInfo.Digest("alice", "wrong")));
        await Assert.ThrowsAsync<NoAuthException>(() => impostor.SetDataAsync(path, "stolen"u8.ToArray()));
        await Assert.ThrowsAsync<NoAuthException>(() => impostor.DeleteAsync(path));
        Assert.Equal("kept"u8.ToArray(), (await alice.GetDataAsync(path)).Data);
        Assert.Equal(ZooKeeperState.Connected, alice.State);
    }

    [Fact]
    public async Task Secrets_never_appear_in_trace_logs_during_digest_auth_over_tls_with_a_password_protected_client_key()
    {
        const string AliceSecret = "alice-Secret-8c2b7a";
        const string BobSecret = "bob-Secret-3e6f01";
        const string KeyPassword = "client-key-Secret-d94a55";
        var server = fixture.Server;
        var logs = new LogCollector();
        using var logging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));

        // A client certificate whose key is stored under a password.
        using var clientKey = RSA.Create(2048);
        using var clientCert = new CertificateRequest("CN=recipes-client", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = clientCert.Export(X509ContentType.Pkcs12, KeyPassword);
        using var loaded = X509CertificateLoader.LoadPkcs12(pfx, KeyPassword);

        var tls = TrustingTheCa();
        tls.ClientCertificates = [loaded];
        // Through a proxy in front of the TLS port, so a reconnect (which re-sends every credential) is one reset away.
        await using var proxy = FaultProxy.Start("127.0.0.1", server.SecurePort);
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = proxy.ConnectionString,
            SessionTimeout = TimeSpan.FromSeconds(15),
            ConnectTimeout = TlsConnectTimeout,
            Tls = tls,
            LoggerFactory = logging,
        };
        options.AuthInfo.Add(ZooKeeperAuthInfo.Digest("alice", AliceSecret));
        options.AuthInfo.Add(ZooKeeperAuthInfo.Digest("super", TlsServerFixture.SuperSecret));
        await using (var client = await ZooKeeperClient.ConnectAsync(options))
        {
            var path = "/secret-" + Guid.NewGuid().ToString("N")[..8];
            await client.CreateAsync(path, null, acl: Acl.CreatorAllWorldRead);
            await client.AddAuthAsync(ZooKeeperAuthInfo.Digest("bob", BobSecret));
            Assert.Contains(await client.WhoAmIAsync(), i => i is { Scheme: "digest", User: "bob" });

            // A reconnect re-sends every credential (logged at Trace as it happens).
            proxy.Reset();
            await client.WaitForConnectedAsync().WaitAsync(Clients.Wait);
            await Retry(() => client.SetDataAsync(path, "after restart"u8.ToArray()));
            await client.DeleteAsync(path);
        }

        // A failure path too: the rejected credentials must not leak into messages or exceptions.
        var rejected = new ZooKeeperClientOptions { ConnectionString = server.SecureConnectionString, SessionTimeout = ShortSession, ConnectTimeout = TlsConnectTimeout / 2, Tls = TrustingTheCa(), LoggerFactory = logging };
        rejected.AuthInfo.Add(new ZooKeeperAuthInfo("no-such-scheme", System.Text.Encoding.UTF8.GetBytes("alice:" + AliceSecret)));
        var failure = await Assert.ThrowsAsync<AuthFailedException>(() => ConnectAndReadAsync(rejected));

        var everything = string.Join('\n', logs.Messages.Concat(fixture.KitLogs.Messages).Append(failure.ToString()).Append(rejected.AuthInfo[0].ToString()));
        Assert.True(logs.Messages.Count > 10, $"expected a trace of the session, got {logs.Messages.Count} lines");
        foreach (var secret in new[] { AliceSecret, BobSecret, KeyPassword, TlsServerFixture.SuperSecret })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    /// <summary>Connects and reads the root: fails with AuthFailedException (on connect or on the read) when the credentials are rejected.</summary>
    private static async Task ConnectAndReadAsync(ZooKeeperClientOptions options)
    {
        await using var client = await ZooKeeperClient.ConnectAsync(options);
        await client.ExistsAsync("/").WaitAsync(Clients.Wait);
        Assert.Fail($"The credentials were accepted; the client is {client.State}.");
    }

    private ZooKeeperTlsOptions TrustingTheCa() => new()
    {
        TargetHost = "localhost",
        TrustedRoots = [fixture.Server.TlsCertificateAuthority],
    };

    private async Task<string> FailToConnectAsync(ZooKeeperTlsOptions tls)
    {
        // Long enough for the handshake to finish on a busy machine, so the error is the certificate's, not a time-out.
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = fixture.Server.SecureConnectionString,
            SessionTimeout = TimeSpan.FromSeconds(6),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Tls = tls,
        };
        var error = await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(options));
        return error.Message;
    }

    private static async Task Retry(Func<Task> operation)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await operation();
                return;
            }
            catch (ConnectionLossException) when (attempt < 5)
            {
            }
        }
    }
}
