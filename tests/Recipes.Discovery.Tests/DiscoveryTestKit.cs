using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Discovery.Tests;

/// <summary>Connections under a test's root, a fault proxy, raw reads, and bounded waits (never fixed sleeps).</summary>
internal static class DiscoveryTestKit
{
    /// <summary>Short sessions so expiry tests stay fast.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    /// <summary>The longest one wait in a test may take (generous: the machine is shared).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static Task<ZooKeeperConnection> ConnectAsync(string connectionString, string root, ILoggerFactory logging) =>
        ZooKeeperConnection.StartAsync(new ZooKeeperConnectionOptions
        {
            ConnectionString = connectionString,
            Namespace = root,
            SessionTimeout = SessionTimeout,
            ConnectionWaitTimeout = Patience,
            LoggerFactory = logging,
        });

    public static Task<ZooKeeperConnection> ConnectAsync(string connectionString, string root, ITestOutputHelper output, string name) =>
        ConnectAsync(connectionString, root, Logging(output, name));

    public static ILoggerFactory Logging(ITestOutputHelper output, string name, ILoggerProvider? extra = null) =>
        LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output, name));
            if (extra is not null)
            {
                b.AddProvider(extra);
            }
        });

    public static FaultProxy StartProxy(ZooKeeperServerFixture zk) => FaultProxy.Start(zk.Server);

    /// <summary>A raw client under <paramref name="root"/> for checking what is really on the server.</summary>
    public static Task<ZooKeeperClient> RawAsync(ZooKeeperServerFixture zk, string root) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectionString = zk.ConnectionString + root, SessionTimeout = SessionTimeout });

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

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <see cref="Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {Patience.TotalSeconds:0} s waiting for: {what}");
            }

            await Task.Delay(25);
        }
    }

    public static Task EventuallyAsync(Func<bool> condition, string what) => EventuallyAsync(() => Task.FromResult(condition()), what);

    /// <summary>Awaits a task, failing with a readable message if it does not finish within <see cref="Patience"/>.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, string what)
    {
        await WithinAsync((Task)task, what);
        return await task;
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
            throw new TimeoutException($"Timed out after {Patience.TotalSeconds:0} s waiting for: {what}");
        }
    }

    public static ServiceInstance Instance(string name, string id, int port, ServiceType type = ServiceType.Dynamic, IReadOnlyDictionary<string, string>? payload = null) => new()
    {
        Name = name,
        Id = id,
        Address = "127.0.0.1",
        Port = port,
        ServiceType = type,
        Payload = payload,
    };

    /// <summary>A task that completes on the connection's next change to <paramref name="state"/>.</summary>
    public static Task NextStateAsync(IZooKeeperConnection connection, ConnectionState state)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += (_, change) =>
        {
            if (change.State == state)
            {
                seen.TrySetResult();
            }
        };
        return seen.Task;
    }
}
