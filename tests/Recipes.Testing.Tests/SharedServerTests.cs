using Recipes.Testing.Xunit;

namespace Recipes.Testing.Tests;

[Collection(ZooKeeperCollection.Name)]
public sealed class SharedServerTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task Ruok_answers_imok()
    {
        Assert.Equal("imok", await zk.Server.SendFourLetterWordAsync("ruok"));
        Assert.Equal("imok", await FourLetterWords.SendAsync("127.0.0.1", zk.Server.Port, "ruok"));
    }

    [Fact]
    public async Task Srvr_reports_standalone_mode()
    {
        var srvr = await zk.Server.SendFourLetterWordAsync("srvr");
        Assert.Contains("Mode: standalone", srvr, StringComparison.Ordinal);
        Assert.Equal("standalone", FourLetterWords.ParseMode(srvr));
    }

    [Fact]
    public async Task Server_properties_describe_a_running_local_server()
    {
        var server = zk.Server;
        Assert.True(server.IsRunning);
        Assert.NotNull(server.ProcessId);
        Assert.NotEqual(2181, server.Port);
        Assert.Equal($"127.0.0.1:{server.Port}", server.ConnectionString);
        Assert.Equal(zk.ConnectionString, server.ConnectionString);
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "zoo.cfg")));
        Assert.StartsWith(Path.GetTempPath(), server.DataDirectory, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => server.SecurePort);
        Assert.Throws<InvalidOperationException>(() => server.TlsCertificate);

        var conf = await server.SendFourLetterWordAsync("conf");
        Assert.Contains("tickTime=500", conf, StringComparison.Ordinal);
        Assert.Contains("minSessionTimeout=1000", conf, StringComparison.Ordinal);
        Assert.Contains("maxSessionTimeout=10000", conf, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mntr_is_parsed_into_metrics()
    {
        var stats = await zk.Server.GetMonitorStatsAsync();
        Assert.Equal("standalone", stats["zk_server_state"]);
        Assert.True(int.Parse(stats["zk_watch_count"], System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.True(stats.ContainsKey("zk_ephemerals_count"));
        Assert.True(stats.ContainsKey("zk_num_alive_connections"));
    }

    [Fact]
    public async Task Dump_lists_the_ephemerals_of_a_raw_session()
    {
        var root = zk.NewRoot(nameof(Dump_lists_the_ephemerals_of_a_raw_session));
        var (connection, _) = await RawRequests.NewSessionAsync(zk.Server.Port, CancellationToken.None);
        await using (connection)
        {
            Assert.Equal(0, await RawRequests.CallAsync(connection, 1, RawRequests.CreateOp, RawRequests.Create(root, ephemeral: true), CancellationToken.None));
            var dump = await zk.Server.SendFourLetterWordAsync("dump");
            Assert.Contains(root, dump, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NewRoot_is_unique_and_safe()
    {
        var a = zk.NewRoot("My test/with spaces");
        var b = zk.NewRoot("My test/with spaces");
        Assert.NotEqual(a, b);
        Assert.Matches("^/t-My_test_with_spaces-[0-9a-f]{8}$", a);
        Assert.Matches("^/t-[0-9a-f]{8}$", zk.NewRoot());
    }

    [Fact]
    public async Task Four_letter_words_are_validated()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => zk.Server.SendFourLetterWordAsync("ruok\n"));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.Server.SendFourLetterWordAsync("RUOK"));
    }
}
