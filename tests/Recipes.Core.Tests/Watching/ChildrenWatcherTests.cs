using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Core.Tests.Watching.WatchingKit;

namespace Recipes.Core.Tests.Watching;

[Collection(WatchingServerCollection.Name)]
public sealed class ChildrenWatcherTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task SeesChildrenComeAndGoAndTheParentDisappear()
    {
        var root = zk.NewRoot(nameof(SeesChildrenComeAndGoAndTheParentDisappear));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        await using var watcher = new ChildrenWatcher(connection, root);
        await watcher.StartAsync();
        Assert.Null(watcher.Current);

        await writer.CreateAsync(root, null);
        Assert.Empty((await watcher.WaitForChangeAsync(c => c is not null).WaitAsync(EventTimeout))!);

        for (var i = 0; i < 20; i++)
        {
            await writer.CreateAsync($"{root}/c{i:D2}", null);
            var count = i + 1;
            await watcher.WaitForChangeAsync(c => c?.Count == count).WaitAsync(EventTimeout);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"c{i:D2}"), watcher.Current!);
        await writer.DeleteAsync(root + "/c07");
        await watcher.WaitForChangeAsync(c => c is { Count: 19 } && !c.Contains("c07")).WaitAsync(EventTimeout);

        foreach (var child in watcher.Current!)
        {
            await writer.DeleteAsync($"{root}/{child}");
        }

        await writer.DeleteAsync(root);
        await watcher.WaitForChangeAsync(c => c is null).WaitAsync(EventTimeout);
    }

    [Fact]
    public async Task ReArmsAfterServerRestartAndSessionExpiry()
    {
        var root = zk.NewRoot(nameof(ReArmsAfterServerRestartAndSessionExpiry));
        await using (var setup = await WriterAsync(zk.ConnectionString))
        {
            await setup.CreateAsync(root, null);
        }

        await using var connection = await ConnectAsync(zk.ConnectionString, output);
        var states = RecordStates(connection);
        await using var watcher = new ChildrenWatcher(connection, root);
        await watcher.StartAsync();

        await zk.Server.RestartAsync();
        await states.WaitAsync(s => s.Any(c => c.State == ConnectionState.Reconnected), "reconnected after the restart", TimeSpan.FromSeconds(20));
        await using var writer = await WriterAsync(zk.ConnectionString);
        await writer.CreateAsync(root + "/after-restart", null);
        await watcher.WaitForChangeAsync(c => c?.Contains("after-restart") == true).WaitAsync(EventTimeout);

        var seenBefore = states.Count;
        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, connection.CurrentSession!.Client);
        await states.WaitAsync(s => s.Skip(seenBefore).Any(c => c.State == ConnectionState.Reconnected && c.IsNewSession), "a new session", TimeSpan.FromSeconds(20));
        await writer.CreateAsync(root + "/after-expiry", null);
        await watcher.WaitForChangeAsync(c => c?.Contains("after-expiry") == true).WaitAsync(EventTimeout);
    }
}
