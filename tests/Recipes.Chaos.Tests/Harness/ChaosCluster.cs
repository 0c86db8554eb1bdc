using Recipes.Testing;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>The servers under a chaos run: one standalone server (restarted as a fault) or a 3-node ensemble (nodes killed).</summary>
internal sealed class ChaosCluster
{
    private ChaosCluster(ZooKeeperTestServer? server, ZooKeeperTestEnsemble? ensemble)
    {
        Server = server;
        Ensemble = ensemble;
    }

    public ZooKeeperTestServer? Server { get; }

    public ZooKeeperTestEnsemble? Ensemble { get; }

    public bool IsEnsemble => Ensemble is not null;

    /// <summary>The direct connection string (no proxy), for the session killer and for checks.</summary>
    public string ConnectionString => Ensemble?.ConnectionString ?? Server!.ConnectionString;

    /// <summary>Every server's address, for the actors' proxies.</summary>
    public IReadOnlyList<(string Host, int Port)> Endpoints =>
        Ensemble is { } e
            ? Enumerable.Range(1, e.NodeCount).Select(i => ("127.0.0.1", e.ClientPortFor(i))).ToList()
            : [("127.0.0.1", Server!.Port)];

    public static ChaosCluster Of(ZooKeeperTestServer server) => new(server, null);

    public static ChaosCluster Of(ZooKeeperTestEnsemble ensemble) => new(null, ensemble);
}
