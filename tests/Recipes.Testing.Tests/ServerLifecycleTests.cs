using System.Net.Sockets;
using Recipes.Testing.Internal;

namespace Recipes.Testing.Tests;

public sealed class ServerLifecycleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Generous: the machines running these tests may be heavily loaded.
    private static ZooKeeperTestServerOptions Options() => new() { StartTimeout = TimeSpan.FromSeconds(90) };

    [Fact]
    public async Task Stop_refuses_connections_and_start_reuses_port_data_and_sessions()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(Options());
        var port = server.Port;
        var directory = server.DataDirectory;
        var (connection, session) = await RawRequests.NewSessionAsync(port, CancellationToken.None);
        await using (connection)
        {
            Assert.Equal(0, await RawRequests.CallAsync(connection, 1, RawRequests.CreateOp, RawRequests.Create("/persisted", ephemeral: false), CancellationToken.None));

            await server.StopAsync();
            Assert.False(server.IsRunning);
            Assert.Null(server.ProcessId);
            Assert.True(await RawRequests.ReadUntilClosedAsync(connection, CancellationToken.None));
            var refused = await Assert.ThrowsAnyAsync<SocketException>(() => FourLetterWords.SendAsync("127.0.0.1", port, "ruok"));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        await server.StartAsync();
        Assert.True(server.IsRunning);
        Assert.Equal(port, server.Port);
        Assert.Equal(directory, server.DataDirectory);
        Assert.Equal("imok", await server.SendFourLetterWordAsync("ruok"));

        // The session (10 s timeout) survived the quick restart, and so did the data.
        await using var again = await RawZooKeeperConnection.OpenAsync("127.0.0.1", port, CancellationToken.None);
        var resumed = await again.HandshakeAsync(session.SessionId, session.Password, 10_000, CancellationToken.None);
        Assert.NotNull(resumed);
        Assert.False(resumed.IsExpired);
        Assert.Equal(session.SessionId, resumed.SessionId);
        Assert.Equal(0, await RawRequests.CallAsync(again, 1, RawRequests.ExistsOp, RawRequests.Exists("/persisted"), CancellationToken.None));
    }

    [Fact]
    public async Task A_fixed_client_port_is_used_and_a_taken_one_fails_with_its_number()
    {
        var port = FreePorts.Allocate(1)[0];
        var options = Options();
        options.ClientPort = port;
        await using var server = await ZooKeeperTestServer.StartAsync(options);
        Assert.Equal(port, server.Port);
        Assert.Equal("imok", await server.SendFourLetterWordAsync("ruok"));

        var second = Options();
        second.ClientPort = port;
        var taken = await Assert.ThrowsAsync<InvalidOperationException>(() => ZooKeeperTestServer.StartAsync(second));
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), taken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_port_out_of_range_is_rejected()
    {
        var options = Options();
        options.ClientPort = 70_000;
        await Assert.ThrowsAsync<ArgumentException>(() => ZooKeeperTestServer.StartAsync(options));
    }

    [Fact]
    public async Task Restart_and_kill()
    {
        await using var server = await ZooKeeperTestServer.StartAsync(Options());
        var port = server.Port;
        var firstPid = server.ProcessId!.Value;

        await server.RestartAsync();
        Assert.Equal(port, server.Port);
        Assert.NotEqual(firstPid, server.ProcessId);
        Assert.False(NativeMethods.IsAlive(firstPid));
        Assert.Equal("imok", await server.SendFourLetterWordAsync("ruok"));

        var pid = server.ProcessId!.Value;
        await server.KillAsync();
        Assert.False(server.IsRunning);
        Assert.False(NativeMethods.IsAlive(pid));
        await Assert.ThrowsAnyAsync<SocketException>(() => FourLetterWords.SendAsync("127.0.0.1", port, "ruok"));

        await server.StartAsync();
        Assert.Equal("imok", await server.SendFourLetterWordAsync("ruok"));
    }

    [Fact]
    public async Task Dispose_kills_the_process_and_deletes_the_temp_directory()
    {
        var server = await ZooKeeperTestServer.StartAsync(Options());
        var pid = server.ProcessId!.Value;
        var directory = server.DataDirectory;
        Assert.True(File.Exists(Path.Combine(directory, TestDirectories.OwnerFile)));

        await server.DisposeAsync();
        Assert.False(NativeMethods.IsAlive(pid));
        Assert.False(Directory.Exists(directory));
        await server.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => server.StartAsync());
    }

    [Fact]
    public async Task A_server_that_fails_to_start_reports_its_log()
    {
        var options = Options();
        options.ExtraConfig["tickTime"] = "not-a-number";
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ZooKeeperTestServer.StartAsync(options));
        Assert.Contains("exited while starting", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not-a-number", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_are_rejected_before_anything_starts()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { TickTime = TimeSpan.Zero }));
        await Assert.ThrowsAsync<ArgumentException>(() => ZooKeeperTestServer.StartAsync(new ZooKeeperTestServerOptions { SuperDigest = "nocolon" }));
        await Assert.ThrowsAsync<NotSupportedException>(() => ZooKeeperTestEnsemble.StartAsync(3, new ZooKeeperTestServerOptions { EnableTls = true }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ZooKeeperTestEnsemble.StartAsync(1));
    }
}
