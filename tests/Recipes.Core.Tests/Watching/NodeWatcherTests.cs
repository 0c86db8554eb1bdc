using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Core.Tests.Watching.WatchingKit;

namespace Recipes.Core.Tests.Watching;

[Collection(WatchingServerCollection.Name)]
public sealed class NodeWatcherTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task SeesCreateChangeDeleteAndKeepsFiring()
    {
        var root = zk.NewRoot(nameof(SeesCreateChangeDeleteAndKeepsFiring));
        var path = root + "/n";
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, null);
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var watcher = new NodeWatcher(connection, path);
        var changes = new Recorder<NodeSnapshot?>();
        watcher.Changed += (_, node) => changes.Add(node);

        await watcher.StartAsync();
        Assert.Null(watcher.Current);

        await writer.CreateAsync(path, Bytes("v0"));
        Assert.Equal("v0", Text(await watcher.WaitForChangeAsync(n => n is not null).WaitAsync(EventTimeout)));

        for (var i = 1; i <= 30; i++)
        {
            var expected = "v" + i;
            await writer.SetDataAsync(path, Bytes(expected));
            await watcher.WaitForChangeAsync(n => Text(n) == expected).WaitAsync(EventTimeout);
        }

        await writer.DeleteAsync(path);
        await watcher.WaitForChangeAsync(n => n is null).WaitAsync(EventTimeout);
        await writer.CreateAsync(path, Bytes("again"));
        Assert.Equal("again", Text(await watcher.WaitForChangeAsync(n => n is not null).WaitAsync(EventTimeout)));

        // Every published value is a real change: the sequence starts with the creation and ends with the re-creation.
        var seen = changes.Items.Select(Text).ToList();
        Assert.Equal("v0", seen[0]);
        Assert.Equal("again", seen[^1]);
        Assert.Contains(null, seen);
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.NotEqual(seen[i - 1], seen[i]);
        }
    }

    [Fact]
    public async Task ReArmsAfterServerRestart()
    {
        var root = zk.NewRoot(nameof(ReArmsAfterServerRestart));
        await using (var setup = await WriterAsync(zk.ConnectionString))
        {
            await setup.CreateAsync(root, Bytes("before"));
        }

        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        var states = RecordStates(connection);
        await using var watcher = new NodeWatcher(connection, root);
        await watcher.StartAsync();
        Assert.Equal("before", Text(watcher.Current));

        await zk.Server.RestartAsync();
        await states.WaitAsync(s => s.Any(c => c.State == ConnectionState.Reconnected), "reconnected after the restart", TimeSpan.FromSeconds(20));

        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.SetDataAsync(root, Bytes("after"));
        await watcher.WaitForChangeAsync(n => Text(n) == "after").WaitAsync(EventTimeout);
        output.WriteLine("States: " + string.Join(", ", states.Items));
    }

    [Fact]
    public async Task KeepsWatchingAcrossSessionExpiry()
    {
        var root = zk.NewRoot(nameof(KeepsWatchingAcrossSessionExpiry));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root, Bytes("one"));
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        var states = RecordStates(connection);
        await using var watcher = new NodeWatcher(connection, root);
        await watcher.StartAsync();
        var oldSession = connection.CurrentSession!.SessionId;

        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, connection.CurrentSession!.Client);
        await states.WaitAsync(s => s.Any(c => c.IsNewSession && c.State == ConnectionState.Reconnected), "a new session", TimeSpan.FromSeconds(20));
        Assert.NotEqual(oldSession, connection.CurrentSession!.SessionId);

        await writer.SetDataAsync(root, Bytes("two"));
        await watcher.WaitForChangeAsync(n => Text(n) == "two").WaitAsync(EventTimeout);
        await writer.DeleteAsync(root);
        await watcher.WaitForChangeAsync(n => n is null).WaitAsync(EventTimeout);
    }
}
