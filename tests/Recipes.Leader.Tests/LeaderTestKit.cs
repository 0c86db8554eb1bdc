using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Leader.Tests;

/// <summary>Shared helpers: connections under a test's root, a fault proxy, and waiting without fixed sleeps.</summary>
internal static class LeaderTestKit
{
    /// <summary>Short sessions so expiry tests stay fast.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The longest any single wait in a test may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The election path every test uses under its root.</summary>
    public const string Election = "/election";

    public static Task<ZooKeeperConnection> ConnectAsync(string connectionString, string root, ITestOutputHelper output, string name) =>
        ZooKeeperConnection.StartAsync(new ZooKeeperConnectionOptions
        {
            ConnectionString = connectionString,
            Namespace = root,
            SessionTimeout = SessionTimeout,
            ConnectionWaitTimeout = Patience,
            LoggerFactory = Logging(output, name),
        });

    public static ILoggerFactory Logging(ITestOutputHelper output, string name) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output, name)));

    public static FaultProxy StartProxy(ZooKeeperServerFixture zk) => FaultProxy.Start(zk.Server);

    public static LeaderElectionOptions Id(string id) => new() { ParticipantId = id, RetryDelay = TimeSpan.FromMilliseconds(200) };

    /// <summary>The children of <paramref name="path"/> under <paramref name="root"/>, read with a fresh raw client.</summary>
    public static async Task<IReadOnlyList<string>> ChildrenAsync(ZooKeeperServerFixture zk, string root, string path)
    {
        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString + root, SessionTimeout = SessionTimeout });
        try
        {
            return (await client.GetChildrenAsync(path)).Children.Order(StringComparer.Ordinal).ToList();
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <see cref="Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {Patience.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(20);
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
    public static async Task WithinAsync(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Patience.TotalSeconds:0.#} s waiting for: {what}");
        }
    }

    /// <summary>A task that completes when <paramref name="token"/> fires.</summary>
    public static Task WhenCancelled(CancellationToken token)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => fired.TrySetResult());
        return fired.Task;
    }

    /// <summary>A task that completes on the first connection state change matching <paramref name="state"/>.</summary>
    public static Task<ConnectionStateChange> NextStateAsync(IZooKeeperConnection connection, ConnectionState state)
    {
        var seen = new TaskCompletionSource<ConnectionStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += (_, change) =>
        {
            if (change.State == state)
            {
                seen.TrySetResult(change);
            }
        };
        return seen.Task;
    }
}
