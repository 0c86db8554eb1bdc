using Recipes.Chaos.Tests.History;
using Recipes.Core;
using Xunit.Abstractions;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>What a workload gets from the harness: the actors, the servers, the shared history and a seeded random.</summary>
internal sealed class ChaosContext(IReadOnlyList<ChaosActor> actors, ChaosCluster cluster, string root, ChaosHistory history, int seed, ITestOutputHelper output)
{
    public IReadOnlyList<ChaosActor> Actors { get; } = actors;

    public ChaosCluster Cluster { get; } = cluster;

    /// <summary>The run's root node: every actor's connection namespace, for checks that read the server directly.</summary>
    public string Root { get; } = root;

    public ChaosHistory History { get; } = history;

    /// <summary>The run's seed; workloads derive their own <see cref="Random"/> from it.</summary>
    public int Seed { get; } = seed;

    public ITestOutputHelper Output { get; } = output;

    /// <summary>How long a check after the faults may wait for the system to settle.</summary>
    public TimeSpan Patience { get; } = TimeSpan.FromSeconds(30);

    /// <summary>A fresh connection straight to the servers (no proxy, no fault), under <see cref="Root"/>: how a check reads what the server holds.</summary>
    public Task<ZooKeeperConnection> ConnectDirectAsync(CancellationToken cancellationToken) =>
        ZooKeeperConnection.StartAsync(
            new ZooKeeperConnectionOptions { ConnectionString = Cluster.ConnectionString, Namespace = Root, ConnectionWaitTimeout = TimeSpan.FromSeconds(30) },
            cancellationToken);

    /// <summary>Writes to the test output, ignoring writes after the test ended.</summary>
    public void Log(string line)
    {
        try
        {
            Output.WriteLine($"{History.Now.TotalMilliseconds,9:0} ms {line}");
        }
        catch (InvalidOperationException)
        {
        }
    }
}
