using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Core.Tests.Nodes;

/// <summary>Shared helpers of the node tests: clients, connections, roots, and waiting without fixed sleeps.</summary>
internal static class NodeTestKit
{
    /// <summary>Short sessions so expiry tests stay fast (the test server's tick is 500 ms: 1 s to 10 s allowed).</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The longest any single wait in a test may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The Curator lock-node name shape.</summary>
    public const string CuratorLockName = @"^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\d{10}$";

    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = connectionString, SessionTimeout = sessionTimeout ?? SessionTimeout });

    /// <summary>Creates a fresh persistent root for one test and returns its path.</summary>
    public static async Task<string> CreateRootAsync(ZooKeeperServerFixture zk, string testName)
    {
        var root = zk.NewRoot(testName);
        await using var client = await ConnectAsync(zk.ConnectionString);
        await client.CreateAsync(root, null, CreateMode.Persistent);
        return root;
    }

    /// <summary>A started connection whose namespace is <paramref name="root"/>.</summary>
    public static Task<ZooKeeperConnection> StartConnectionAsync(string connectionString, string root, Action<ZooKeeperConnectionOptions>? configure = null)
    {
        var options = new ZooKeeperConnectionOptions
        {
            ConnectionString = connectionString,
            Namespace = root,
            SessionTimeout = SessionTimeout,
            ConnectionWaitTimeout = Patience,
        };
        configure?.Invoke(options);
        return ZooKeeperConnection.StartAsync(options);
    }

    /// <summary>A logger factory writing Debug and above to the test's output (shown for failed tests).</summary>
    public static ILoggerFactory Logging(ITestOutputHelper output) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output)));

    /// <summary>A session object for a raw client (the connection normally makes these).</summary>
    public static ZooKeeperSession SessionOf(IZooKeeperClient client) => new(client, client.SessionId, client.NegotiatedSessionTimeout);

    /// <summary>A mocked connection with real options (fast bounded retries), the system clock and no logging.</summary>
    public static Mock<IZooKeeperConnection> MockConnection(RetryPolicy? retryPolicy = null)
    {
        var connection = new Mock<IZooKeeperConnection>();
        var options = new ZooKeeperConnectionOptions
        {
            ConnectionString = "127.0.0.1:2181",
            RetryPolicy = retryPolicy ?? RetryPolicy.Bounded(3, TimeSpan.FromMilliseconds(20)),
        };
        connection.SetupGet(c => c.Options).Returns(options);
        connection.SetupGet(c => c.TimeProvider).Returns(TimeProvider.System);
        connection.SetupGet(c => c.LoggerFactory).Returns(NullLoggerFactory.Instance);
        return connection;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <see cref="Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Patience;
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

    /// <summary>Awaits a task, failing with a readable message if it does not finish within <see cref="Patience"/>.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Patience.TotalSeconds:0.#} s waiting for: {what}");
        }
    }

    /// <summary>Awaits a task, failing with a readable message if it does not finish within <see cref="Patience"/>.</summary>
    public static async Task WithinAsync(Task task, string what) =>
        await WithinAsync(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), what);

    /// <summary>Children of <paramref name="path"/>, sorted ordinally (empty if it does not exist).</summary>
    public static async Task<IReadOnlyList<string>> ChildrenAsync(IZooKeeperClient client, string path)
    {
        try
        {
            return (await client.GetChildrenAsync(path)).Children.Order(StringComparer.Ordinal).ToList();
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>Polls the server's <c>wchp</c> until exactly <paramref name="sessions"/> watch <paramref name="serverPath"/> (none: no watch at all).</summary>
    public static Task WatchersEventuallyAsync(ZooKeeperServerFixture zk, string serverPath, IReadOnlyCollection<long> sessions, string what) =>
        EventuallyAsync(
            async () =>
            {
                var watches = ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp"));
                return sessions.Count == 0
                    ? !watches.ContainsKey(serverPath)
                    : watches.TryGetValue(serverPath, out var watchers) && watchers.SetEquals(sessions);
            },
            what);

    /// <summary>The server's <c>wchp</c> output as path → watching sessions (<see cref="Recipes.Testing.FourLetterWords.ParseWatchesByPath"/>).</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<long>> ParseWatchesByPath(string wchp) =>
        Recipes.Testing.FourLetterWords.ParseWatchesByPath(wchp);
}
