using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Recipes.Testing;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Connection;

/// <summary>The connection against a real ZooKeeper: each test runs its own server, since they stop it or partition it.</summary>
public sealed class ConnectionIntegrationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Server_stop_and_restart_within_the_session_gives_Suspended_then_Reconnected_same_session()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var connection = await ZooKeeperConnection.StartAsync(Options(server.ConnectionString, TimeSpan.FromSeconds(8)));
        var states = new StateRecorder(connection);
        var session = connection.CurrentSession!;

        await server.StopAsync();
        await states.WaitFor(ConnectionState.Suspended);
        await server.StartAsync();
        var reconnected = await states.WaitFor(ConnectionState.Reconnected);

        Assert.False(reconnected.IsNewSession);
        Assert.Equal(session.SessionId, connection.CurrentSession!.SessionId);
    }

    [Fact]
    public async Task Server_side_session_expiry_gives_Lost_then_a_new_session()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var connection = await ZooKeeperConnection.StartAsync(Options(server.ConnectionString, TimeSpan.FromSeconds(4)));
        var states = new StateRecorder(connection);
        var session = connection.CurrentSession!;

        await ZooKeeperSessionKiller.KillAsync(server.ConnectionString, session.Client);
        var lost = await states.WaitFor(ConnectionState.Lost);
        Assert.Equal(session.SessionId, lost.SessionId);
        Assert.True(session.IsOwnershipLost);

        var back = await states.WaitFor(ConnectionState.Reconnected);
        Assert.True(back.IsNewSession);
        Assert.NotEqual(session.SessionId, connection.CurrentSession!.SessionId);
        Assert.NotNull(await connection.ExecuteAsync((c, ct) => c.ExistsAsync("/", cancellationToken: ct)));
    }

    [Fact]
    public async Task Blackholed_connection_ends_ownership_before_the_server_expires_the_session_and_is_Lost_by_the_client_clock()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        await using var proxy = FaultProxy.Start("127.0.0.1", server.Port);
        await using var connection = await ZooKeeperConnection.StartAsync(Options(proxy.ConnectionString, TimeSpan.FromSeconds(4)));
        await using var observer = await ZooKeeperClient.ConnectAsync(server.ConnectionString);
        var states = new StateRecorder(connection);
        var session = connection.CurrentSession!;
        var marker = "/own-" + Guid.NewGuid().ToString("N")[..8];
        await session.Client.CreateAsync(marker, null, CreateMode.Ephemeral);

        // One clock for both events: when the holder gives up, and when the server deletes its ephemeral node.
        var clock = Stopwatch.StartNew();
        var ownershipLostAt = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.OwnershipLostToken.Register(() => ownershipLostAt.TrySetResult(clock.Elapsed));
        var deletedAt = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        await observer.ExistsAsync(marker, Watcher.Create(e =>
        {
            if (e.Type == EventType.NodeDeleted)
            {
                deletedAt.TrySetResult(clock.Elapsed);
            }
        }));

        proxy.Mode = FaultMode.Blackhole;
        await states.WaitFor(ConnectionState.Suspended);
        var lostAt = await ownershipLostAt.Task.WaitAsync(Wait);
        var serverDeletedAt = await deletedAt.Task.WaitAsync(Wait);
        await states.WaitFor(ConnectionState.Lost);

        Assert.True(lostAt < serverDeletedAt, $"ownership given up at {lostAt}, but the server deleted the node at {serverDeletedAt}");

        proxy.Mode = FaultMode.Pass;
        var back = await states.WaitFor(ConnectionState.Reconnected);
        Assert.True(back.IsNewSession);
    }

    [Fact]
    public async Task Operations_issued_while_the_server_is_down_complete_once_it_is_back()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        var options = Options(server.ConnectionString, TimeSpan.FromSeconds(8));
        options.ConnectionWaitTimeout = TimeSpan.FromSeconds(20);
        await using var connection = await ZooKeeperConnection.StartAsync(options);
        var states = new StateRecorder(connection);

        await server.StopAsync();
        await states.WaitFor(ConnectionState.Suspended);
        var operation = connection.ExecuteAsync((c, ct) => c.ExistsAsync("/zookeeper", cancellationToken: ct));
        await server.StartAsync();
        Assert.NotNull(await operation.WaitAsync(Wait));
    }

    [Fact]
    public async Task Namespace_is_created_and_applied_to_every_path()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        var ns = "/app-" + Guid.NewGuid().ToString("N")[..8] + "/nested";
        var options = Options(server.ConnectionString, TimeSpan.FromSeconds(8));
        options.Namespace = ns;
        await using var connection = await ZooKeeperConnection.StartAsync(options);
        await connection.ExecuteAsync((c, ct) => c.CreateAsync("/x", null, cancellationToken: ct));

        await using var raw = await ZooKeeperClient.ConnectAsync(server.ConnectionString);
        Assert.NotNull(await raw.ExistsAsync(ns + "/x"));
    }

    [Fact]
    public async Task DI_registration_validates_options_on_start_with_a_message_naming_the_setting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddZooKeeper(o =>
        {
            o.ConnectionString = "127.0.0.1:1";
            o.OwnershipLossPolicy = new OwnershipLossPolicy { GraceFraction = 2 };
        });
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("GraceFraction", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DI_registration_connects_on_start_and_reports_health()
    {
        await using var server = await ZooKeeperTestServer.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddZooKeeper(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.SessionTimeout = TimeSpan.FromSeconds(4);
        });
        builder.Services.AddHealthChecks().AddZooKeeper();
        using var host = builder.Build();
        await host.StartAsync();

        var connection = host.Services.GetRequiredService<IZooKeeperConnection>();
        Assert.Equal(ConnectionState.Connected, connection.State);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Status);

        await server.StopAsync();
        await WaitUntil(() => connection.State == ConnectionState.Suspended);
        health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        await host.StopAsync();
    }

    private static ZooKeeperConnectionOptions Options(string connectionString, TimeSpan sessionTimeout) => new()
    {
        ConnectionString = connectionString,
        SessionTimeout = sessionTimeout,
        ConnectionWaitTimeout = TimeSpan.FromSeconds(15),
    };

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(20);
        }
    }
}
