using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

/// <summary>One test's root, its connections (all disposed at the end), and waiting on events without fixed sleeps.</summary>
internal sealed class LockTestKit : IAsyncDisposable
{
    /// <summary>Short sessions so loss tests stay fast.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The longest any single wait may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public const string CuratorNamePattern = @"^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-";

    private readonly List<ZooKeeperConnection> _connections = [];
    private readonly ZooKeeperServerFixture _zk;
    private ZooKeeperConnection? _observer;

    private LockTestKit(ZooKeeperServerFixture zk, ITestOutputHelper output, string root)
    {
        _zk = zk;
        Root = root;
        Logging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output)));
    }

    public string Root { get; }

    public ILoggerFactory Logging { get; }

    /// <summary>A connection (namespace = root) that only inspects and meddles.</summary>
    public ZooKeeperConnection Observer => _observer ?? throw new InvalidOperationException("Not started.");

    public static async Task<LockTestKit> StartAsync(ZooKeeperServerFixture zk, ITestOutputHelper output, string testName)
    {
        var root = zk.NewRoot(testName);
        await using (var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString }))
        {
            await client.CreateAsync(root, null, CreateMode.Persistent);
        }

        var kit = new LockTestKit(zk, output, root);
        kit._observer = await kit.ConnectAsync();
        return kit;
    }

    /// <summary>A started connection under the root; through <paramref name="connectionString"/> (a proxy) if given.</summary>
    public async Task<ZooKeeperConnection> ConnectAsync(string? connectionString = null)
    {
        var connection = await ZooKeeperConnection.StartAsync(new ZooKeeperConnectionOptions
        {
            ConnectionString = connectionString ?? _zk.ConnectionString,
            Namespace = Root,
            SessionTimeout = SessionTimeout,
            ConnectionWaitTimeout = Patience,
            LoggerFactory = Logging,
        });
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>The children of <paramref name="path"/> (under the root), sorted; empty when it does not exist.</summary>
    public Task<IReadOnlyList<string>> ChildrenAsync(string path) =>
        Observer.ExecuteAsync<IReadOnlyList<string>>(async (client, ct) =>
        {
            try
            {
                return (await client.GetChildrenAsync(path, null, ct)).Children.Order(StringComparer.Ordinal).ToList();
            }
            catch (NoNodeException)
            {
                return [];
            }
        });

    /// <summary>Polls until <paramref name="condition"/> holds on the children of <paramref name="path"/>.</summary>
    public async Task<IReadOnlyList<string>> ChildrenEventuallyAsync(string path, Func<IReadOnlyList<string>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var children = await ChildrenAsync(path);
            if (condition(children))
            {
                return children;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what} (children of {path}: {string.Join(", ", children)})");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Polls the server's watches (<c>wchp</c>) until the sessions watching <paramref name="path"/> (under the root) are exactly <paramref name="sessions"/>.</summary>
    public async Task WatchersEventuallyAsync(string path, IReadOnlyCollection<long> sessions, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var watches = FourLetterWords.ParseWatchesByPath(await _zk.Server.SendFourLetterWordAsync("wchp"));
            var watchers = watches.TryGetValue(Root + path, out var found) ? found : new HashSet<long>();
            if (watchers.SetEquals(sessions))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what} (watchers of {path}: {string.Join(", ", watchers.Select(w => $"0x{w:x}"))})");
            }

            await Task.Delay(25);
        }
    }

    public static async Task<T> WithinAsync<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Patience.TotalSeconds:0} s waiting for: {what}");
        }
    }

    public static Task WithinAsync(Task task, string what) =>
        WithinAsync(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), what);

    /// <summary>A task that completes when <paramref name="token"/> fires.</summary>
    public static Task WhenFired(CancellationToken token)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => fired.TrySetResult());
        return fired.Task;
    }

    public async ValueTask DisposeAsync()
    {
        ZooKeeperConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections.Reverse())
        {
            await connection.DisposeAsync();
        }

        Logging.Dispose();
    }
}
