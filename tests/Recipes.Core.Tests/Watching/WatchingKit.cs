using System.Text;
using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Core.Tests.Watching;

/// <summary>Connections, writers and tree comparisons for the watching integration tests.</summary>
internal static class WatchingKit
{
    /// <summary>The longest any test waits for one event.</summary>
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Short sessions, so expiry tests are quick.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    public static async Task<ZooKeeperConnection> ConnectAsync(string connectionString, ITestOutputHelper output)
    {
        var loggerFactory = LoggerFactory.Create(builder => builder
            .AddProvider(new XunitLoggerProvider(output))
            .SetMinimumLevel(LogLevel.Debug)
            .AddFilter("Recipes.ZooKeeper", LogLevel.Information));
        return await ZooKeeperConnection.StartAsync(new ZooKeeperConnectionOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = SessionTimeout,
            LoggerFactory = loggerFactory,
        });
    }

    /// <summary>A plain client for making changes behind the watchers' backs.</summary>
    public static async Task<ZooKeeperClient> WriterAsync(string connectionString) =>
        await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = connectionString, SessionTimeout = TimeSpan.FromSeconds(10) });

    /// <summary>Records the connection's state changes.</summary>
    public static Recorder<ConnectionStateChange> RecordStates(IZooKeeperConnection connection)
    {
        var states = new Recorder<ConnectionStateChange>();
        connection.StateChanged += (_, change) => states.Add(change);
        return states;
    }

    /// <summary>Records a tree cache's events as (kind, path, old, new).</summary>
    public static Recorder<CacheEvent> RecordEvents(TreeCache cache)
    {
        var events = new Recorder<CacheEvent>();
        cache.Created += (_, e) => events.Add(new CacheEvent("Created", e.Path, e.OldNode, e.NewNode, cache.Initialized.IsCompleted));
        cache.Changed += (_, e) => events.Add(new CacheEvent("Changed", e.Path, e.OldNode, e.NewNode, cache.Initialized.IsCompleted));
        cache.Deleted += (_, e) => events.Add(new CacheEvent("Deleted", e.Path, e.OldNode, e.NewNode, cache.Initialized.IsCompleted));
        return events;
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string? Text(NodeSnapshot? node) => node?.Data is { } data ? Encoding.UTF8.GetString(data) : null;

    /// <summary>The server's tree under <paramref name="root"/> as "path czxid mzxid data" lines (empty if the root is missing).</summary>
    public static async Task<List<string>> ServerTreeAsync(IZooKeeperClient client, string root)
    {
        var lines = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.TryPop(out var path))
        {
            DataResult data;
            IReadOnlyList<string> children;
            try
            {
                data = await client.GetDataAsync(path);
                children = (await client.GetChildrenAsync(path)).Children;
            }
            catch (NoNodeException)
            {
                continue;
            }

            lines.Add(Line(path, data.Stat, data.Data));
            foreach (var child in children)
            {
                pending.Push(PathUtils.Combine(path, child));
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>The cache's tree in the format of <see cref="ServerTreeAsync"/>.</summary>
    public static List<string> CacheTree(TreeCache cache) =>
        [.. cache.Snapshot().Values.Select(n => Line(n.Path, n.Stat, n.Data)).Order(StringComparer.Ordinal)];

    /// <summary>Waits until the cache holds exactly the server's tree.</summary>
    public static async Task CacheMatchesServerAsync(TreeCache cache, IZooKeeperClient client, string root)
    {
        var deadline = DateTime.UtcNow + EventTimeout;
        while (true)
        {
            var server = await ServerTreeAsync(client, root);
            var cached = CacheTree(cache);
            if (server.SequenceEqual(cached))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Equal(server, cached);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls a condition until it holds, failing after the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? EventTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(50);
        }
    }

    private static string Line(string path, Stat stat, byte[]? data) =>
        $"{path} c=0x{stat.Czxid:x} m=0x{stat.Mzxid:x} '{(data is null ? "" : Encoding.UTF8.GetString(data))}'";
}

/// <summary>One tree cache event as recorded by a test.</summary>
internal sealed record CacheEvent(string Kind, string Path, NodeSnapshot? Old, NodeSnapshot? New, bool AfterInitialized)
{
    public override string ToString() => $"{Kind} {Path} '{WatchingKit.Text(Old)}'->'{WatchingKit.Text(New)}'";
}
