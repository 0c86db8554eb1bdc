using System.Text;
using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Configuration.Tests;

/// <summary>Shared helpers: connections, raw znode writes, a fault proxy, and waiting without fixed sleeps.</summary>
internal static class ConfigTestKit
{
    /// <summary>Short sessions so expiry stays fast.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The longest any single wait in a test may take.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    public static ZooKeeperConnectionOptions ConnectionOptions(string connectionString, ITestOutputHelper output, string name) => new()
    {
        ConnectionString = connectionString,
        SessionTimeout = SessionTimeout,
        ConnectionWaitTimeout = TimeSpan.FromSeconds(2),
        LoggerFactory = Logging(output, name),
    };

    public static Task<ZooKeeperConnection> ConnectAsync(string connectionString, ITestOutputHelper output, string name) =>
        ZooKeeperConnection.StartAsync(ConnectionOptions(connectionString, output, name));

    public static ILoggerFactory Logging(ITestOutputHelper output, string name) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output, name)));

    public static FaultProxy StartProxy(ZooKeeperServerFixture zk) => FaultProxy.Start(zk.Server);

    /// <summary>Writes raw data to a znode, creating it (and its parents) when missing.</summary>
    public static Task PutAsync(IZooKeeperConnection connection, string path, string data) =>
        connection.ExecuteAsync(
            async (client, ct) =>
            {
                var bytes = Encoding.UTF8.GetBytes(data);
                try
                {
                    await client.SetDataAsync(path, bytes, -1, ct);
                }
                catch (NoNodeException)
                {
                    await connection.CreateWithParentsAsync(path, bytes, CreateMode.Persistent, ct);
                }

                return 0;
            });

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
