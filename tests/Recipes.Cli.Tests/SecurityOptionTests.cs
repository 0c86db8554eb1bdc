using System.Text;
using Recipes.Testing;
using Recipes.ZooKeeper;

namespace Recipes.Cli.Tests;

/// <summary>TLS (validation on by default) and digest authentication (never echoed), against servers of their own.</summary>
public sealed class SecurityOptionTests : IDisposable
{
    private readonly Scratch _scratch = new();

    [Fact]
    public async Task Tls_validates_the_server_certificate_unless_its_CA_is_given()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { EnableTls = true, StartTimeout = TimeSpan.FromSeconds(120) });
        var ca = _scratch.File("ca.pem");
        await File.WriteAllTextAsync(ca, server.TlsCertificateAuthority.ExportCertificatePem());

        var untrusted = await CliProcess.RunAsync("tree", "/", "--tls", "--connect-timeout", "5s", "--connect", server.SecureConnectionString);
        Assert.Equal(2, untrusted.ExitCode);

        var trusted = await CliProcess.RunAsync("tree", "/", "--tls-ca", ca, "--connect", server.SecureConnectionString);
        Assert.True(trusted.ExitCode == 0, trusted.Stderr);
        Assert.Contains("zookeeper", trusted.Stdout, StringComparison.Ordinal);

        var missingCa = await CliProcess.RunAsync("tree", "/", "--tls-ca", _scratch.File("nope.pem"), "--connect", server.SecureConnectionString);
        Assert.Equal(1, missingCa.ExitCode);
    }

    [Fact]
    public async Task Digest_auth_from_the_environment_opens_a_protected_node_and_is_never_printed()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { StartTimeout = TimeSpan.FromSeconds(120) });
        var options = new ZooKeeperClientOptions { ConnectionString = server.ConnectionString };
        options.AuthInfo.Add(ZooKeeperAuthInfo.Digest("alice", "s3cret-pass"));
        await using (var client = await ZooKeeperClient.ConnectAsync(options))
        {
            await client.CreateAsync("/private", Encoding.UTF8.GetBytes("hidden"), CreateMode.Persistent, Acl.CreatorAll);
        }

        var anonymous = await CliProcess.RunAsync("get", "/private", "--connect", server.ConnectionString);
        Assert.Equal(5, anonymous.ExitCode);
        Assert.Contains("/private", anonymous.Stderr, StringComparison.Ordinal);

        var authorized = await CliProcess.RunAsync(["get", "/private", "--verbose", "--connect", server.ConnectionString], new Dictionary<string, string> { ["ZOOKEEPER_AUTH"] = "alice:s3cret-pass" });
        Assert.True(authorized.ExitCode == 0, authorized.Stderr);
        Assert.Equal("hidden", authorized.Stdout.Trim());
        Assert.DoesNotContain("s3cret-pass", authorized.Stdout + authorized.Stderr, StringComparison.Ordinal);

        var wrong = await CliProcess.RunAsync(["get", "/private", "--auth", "alice:wrong-pass", "--connect", server.ConnectionString], null);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.DoesNotContain("wrong-pass", wrong.Stdout + wrong.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _scratch.Dispose();
}
