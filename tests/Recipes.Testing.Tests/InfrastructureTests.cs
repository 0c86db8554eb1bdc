using System.Diagnostics;
using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Recipes.Testing.Internal;

namespace Recipes.Testing.Tests;

public sealed class InfrastructureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Watchdog_kills_the_target_when_the_owner_dies()
    {
        using var target = Process.Start("sleep", "60");
        using var owner = Process.Start("sleep", "0.2");
        using var watchdog = ServerProcess.StartWatchdog(owner.Id, target.Id);
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await target.WaitForExitAsync(timeout.Token);
            await watchdog.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!target.HasExited)
            {
                target.Kill();
            }
        }
    }

    [Fact]
    public async Task Watchdog_ends_when_the_target_ends()
    {
        using var target = Process.Start("sleep", "0.2");
        using var watchdog = ServerProcess.StartWatchdog(Environment.ProcessId, target.Id);
        using var timeout = new CancellationTokenSource(Timeout);
        await watchdog.WaitForExitAsync(timeout.Token);
    }

    [Fact]
    public async Task Stale_directories_of_dead_owners_are_deleted()
    {
        var root = Directory.CreateTempSubdirectory("recipes-testing-tests-").FullName;
        try
        {
            using var finished = Process.Start("true");
            await finished.WaitForExitAsync();
            using var alive = Process.Start("sleep", "30");
            try
            {
                var dead = MakeOwned(root, "dead", finished.Id);
                var live = MakeOwned(root, "live", alive.Id);
                var mine = MakeOwned(root, "mine", Environment.ProcessId);
                var unrelated = Directory.CreateDirectory(Path.Combine(root, "other-dir")).FullName;

                Assert.Equal(1, TestDirectories.DeleteStale(root));
                Assert.False(Directory.Exists(dead));
                Assert.True(Directory.Exists(live));
                Assert.True(Directory.Exists(mine));
                Assert.True(Directory.Exists(unrelated));
            }
            finally
            {
                alive.Kill();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:2181", "127.0.0.1", 2181)]
    [InlineData("localhost", "localhost", 2181)]
    [InlineData("h1:1,h2:2/chroot/x", "h1", 1)]
    [InlineData("[::1]:2182/app", "::1", 2182)]
    public void Connection_strings_are_parsed(string connectionString, string host, int port)
    {
        var hosts = HostList.Parse(connectionString);
        Assert.Equal((host, port), hosts[0]);
    }

    [Fact]
    public void Connection_strings_with_several_hosts_keep_their_order()
    {
        Assert.Equal([("a", 1), ("b", 2), ("c", 2181)], HostList.Parse("a:1, b:2 ,c/root"));
        Assert.Throws<ArgumentException>(() => HostList.Parse("/only-a-chroot"));
        Assert.Throws<ArgumentException>(() => HostList.Parse("host:notaport"));
    }

    [Fact]
    public void ConnectRequest_has_the_documented_layout()
    {
        var password = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var payload = RawZooKeeperConnection.BuildConnectRequest(0x0100000abcdef012, password, 6000);
        Assert.Equal(45, payload.Length);
        Assert.Equal(
            "00000000" + "0000000000000000" + "00001770" + "0100000ABCDEF012" + "00000010" + Convert.ToHexString(password) + "00",
            Convert.ToHexString(payload));
    }

    [Fact]
    public void ConnectResponse_is_parsed_with_and_without_the_read_only_byte()
    {
        var bytes = Convert.FromHexString("00000000" + "00007530" + "010000083F9F0000" + "00000010" + new string('A', 32) + "01");
        var response = RawZooKeeperConnection.ParseConnectResponse(bytes);
        Assert.Equal(30000, response.Timeout);
        Assert.Equal(0x010000083f9f0000, response.SessionId);
        Assert.Equal(16, response.Password.Length);
        Assert.True(response.ReadOnly);
        Assert.False(RawZooKeeperConnection.ParseConnectResponse(bytes.AsSpan(0, 36)).ReadOnly);
    }

    [Fact]
    public void Super_digest_is_hashed_like_zookeeper()
        => Assert.Equal("alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=", ServerConfig.HashDigest("alice:secret"));

    [Fact]
    public void Mntr_output_is_parsed()
    {
        var stats = FourLetterWords.ParseMonitorStats("zk_version\t3.8.0-abc, built on x\nzk_watch_count\t3\r\nno tab here\nzk_ephemerals_count\t0\n");
        Assert.Equal("3.8.0-abc, built on x", stats["zk_version"]);
        Assert.Equal("3", stats["zk_watch_count"]);
        Assert.Equal("0", stats["zk_ephemerals_count"]);
        Assert.Equal(3, stats.Count);
    }

    [Fact]
    public void Config_contains_the_fixed_settings_and_extra_lines_last()
    {
        var options = new ZooKeeperTestServerOptions { MaxSessionTimeout = TimeSpan.FromSeconds(4) };
        options.ExtraConfig["tickTime"] = "700";
        var text = ServerConfig.Build(options, "/tmp/d", new NodePorts(1234), tls: null, ensemble: null);
        Assert.Contains("4lw.commands.whitelist=*\n", text, StringComparison.Ordinal);
        Assert.Contains("admin.enableServer=false\n", text, StringComparison.Ordinal);
        Assert.Contains("clientPortAddress=127.0.0.1\n", text, StringComparison.Ordinal);
        Assert.Contains("clientPort=1234\n", text, StringComparison.Ordinal);
        Assert.Contains("maxClientCnxns=0\n", text, StringComparison.Ordinal);
        Assert.Contains("forceSync=no\n", text, StringComparison.Ordinal);
        Assert.Contains("maxSessionTimeout=4000\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("minSessionTimeout", text, StringComparison.Ordinal);
        Assert.DoesNotContain("server.1", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("tickTime=700", StringComparison.Ordinal) > text.IndexOf("tickTime=500", StringComparison.Ordinal));

        var ensemble = new[] { new NodePorts(1, null, 2, 3), new NodePorts(4, null, 5, 6) };
        var quorum = ServerConfig.Build(new ZooKeeperTestServerOptions(), "/tmp/d", ensemble[1], null, ensemble);
        Assert.Contains("server.1=127.0.0.1:2:3\n", quorum, StringComparison.Ordinal);
        Assert.Contains("server.2=127.0.0.1:5:6\n", quorum, StringComparison.Ordinal);
        Assert.Contains("initLimit=10\n", quorum, StringComparison.Ordinal);
        Assert.Contains("syncLimit=5\n", quorum, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_types_are_sealed_or_static_and_in_the_right_namespaces()
    {
        var assembly = typeof(ZooKeeperTestServer).Assembly;
        foreach (var type in assembly.GetExportedTypes())
        {
            Assert.StartsWith("Recipes.Testing", type.Namespace, StringComparison.Ordinal);
            if (type.IsClass)
            {
                Assert.True(type.IsSealed, $"{type} should be sealed (or static)");
            }
        }

        // No Console in library code: the assembly does not even reference the type.
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        Assert.DoesNotContain(
            metadata.TypeReferences.Select(metadata.GetTypeReference),
            t => metadata.GetString(t.Namespace) == "System" && metadata.GetString(t.Name) == "Console");
    }

    private static string MakeOwned(string root, string name, int pid)
    {
        var directory = Directory.CreateDirectory(Path.Combine(root, TestDirectories.Prefix + name)).FullName;
        File.WriteAllText(Path.Combine(directory, TestDirectories.OwnerFile), pid.ToString(CultureInfo.InvariantCulture));
        return directory;
    }
}
