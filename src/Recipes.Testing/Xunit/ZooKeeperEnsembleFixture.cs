using Xunit;

namespace Recipes.Testing.Xunit;

/// <summary>
/// An xunit fixture that starts one 3-node <see cref="ZooKeeperTestEnsemble"/> (default options) for a test class or
/// collection, waits for its quorum and kills it afterwards. Tests that stop or kill nodes should restart them and
/// call <see cref="ZooKeeperTestEnsemble.WaitForQuorumAsync"/> before they end, so the next test finds a whole ensemble.
/// </summary>
/// <example>
/// <code>
/// [CollectionDefinition(Name)]
/// public sealed class EnsembleCollection : ICollectionFixture&lt;ZooKeeperEnsembleFixture&gt;
/// {
///     public const string Name = "ZooKeeper ensemble";
/// }
///
/// [Collection(EnsembleCollection.Name)]
/// public sealed class FailoverTests(ZooKeeperEnsembleFixture zk)
/// {
///     [Fact]
///     public async Task SurvivesLeaderLoss()
///     {
///         var leader = await zk.Ensemble.FindLeaderAsync();
///         await zk.Ensemble.KillNodeAsync(leader);
///         // ... assert on a client connected to zk.ConnectionString ...
///         await zk.Ensemble.StartNodeAsync(leader);
///         await zk.Ensemble.WaitForQuorumAsync(TimeSpan.FromSeconds(30));
///     }
/// }
/// </code>
/// </example>
public sealed class ZooKeeperEnsembleFixture : IAsyncLifetime
{
    private ZooKeeperTestEnsemble? _ensemble;

    /// <summary>The ensemble (available once xunit has initialised the fixture).</summary>
    public ZooKeeperTestEnsemble Ensemble => _ensemble ?? throw new InvalidOperationException("The fixture has not been initialised.");

    /// <summary>The connection string listing every node.</summary>
    public string ConnectionString => Ensemble.ConnectionString;

    /// <summary>A unique root path for one test, as <see cref="ZooKeeperServerFixture.NewRoot"/>. The node is not created.</summary>
    /// <param name="testName">A readable part for the path.</param>
    public string NewRoot(string? testName = null) => RootNames.New(testName);

    /// <summary>Starts the ensemble and waits for its quorum (called by xunit).</summary>
    public async Task InitializeAsync() => _ensemble = await ZooKeeperTestEnsemble.StartAsync(options: new ZooKeeperTestServerOptions { StartTimeout = ZooKeeperServerFixture.StartTimeout });

    /// <summary>Kills every node and deletes the data (called by xunit).</summary>
    public async Task DisposeAsync()
    {
        if (_ensemble is not null)
        {
            await _ensemble.DisposeAsync();
        }
    }
}
