using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Testing;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>
/// One simulated process: its own clock (so it can be paused), its own proxies in front of every server (so its
/// network can fail alone) and its own connection (its own session).
/// </summary>
internal sealed class ChaosActor : IAsyncDisposable
{
    /// <summary>Short sessions so expiry happens many times in a run.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(4);

    private ChaosActor(string name, PausableTimeProvider clock, IReadOnlyList<FaultProxy> proxies, ZooKeeperConnection connection)
    {
        Name = name;
        Clock = clock;
        Proxies = proxies;
        Connection = connection;
    }

    public string Name { get; }

    public PausableTimeProvider Clock { get; }

    public IReadOnlyList<FaultProxy> Proxies { get; }

    public ZooKeeperConnection Connection { get; }

    /// <summary>Whether a <see cref="ProcessPause"/> is in progress for this actor (set by the fault injector).</summary>
    public bool IsPaused => Clock.IsPaused;

    public static async Task<ChaosActor> StartAsync(string name, IReadOnlyList<(string Host, int Port)> servers, string root, ILoggerFactory logging)
    {
        var clock = new PausableTimeProvider();
        var proxies = servers.Select(s => FaultProxy.Start(s.Host, s.Port)).ToList();
        try
        {
            var connection = await ZooKeeperConnection.StartAsync(new ZooKeeperConnectionOptions
            {
                ConnectionString = string.Join(',', proxies.Select(p => p.ConnectionString)),
                Namespace = root,
                SessionTimeout = SessionTimeout,
                ConnectionWaitTimeout = TimeSpan.FromSeconds(10),
                TimeProvider = clock,
                LoggerFactory = logging,
            });
            return new ChaosActor(name, clock, proxies, connection);
        }
        catch
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Back to a healthy network and a running clock.</summary>
    public void Heal()
    {
        foreach (var proxy in Proxies)
        {
            proxy.Heal();
        }

        Clock.Resume();
    }

    public async ValueTask DisposeAsync()
    {
        Heal();
        await Connection.DisposeAsync();
        foreach (var proxy in Proxies)
        {
            await proxy.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
