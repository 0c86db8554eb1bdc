using System.Globalization;
using Recipes.Testing.Xunit;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>Fail-over across a 3-node ensemble.</summary>
[Collection(EnsembleCollection.Name)]
public sealed class EnsembleTests(ZooKeeperEnsembleFixture zk)
{
    [Fact]
    public async Task Killing_the_node_the_client_is_on_moves_it_with_its_session_and_watches()
    {
        var ensemble = zk.Ensemble;
        await ensemble.WaitForQuorumAsync(TimeSpan.FromSeconds(30));
        await using var client = await Clients.ConnectAsync(ensemble.ConnectionString, TimeSpan.FromSeconds(10));
        var path = "/failover-" + Guid.NewGuid().ToString("N")[..8];
        await client.CreateAsync(path, null);
        await client.CreateAsync(path + "/e", null, CreateMode.Ephemeral);
        var data = Clients.Collect();
        var persistent = Clients.Collect();
        await client.GetDataAsync(path, data);
        await client.AddWatchAsync(path, persistent, AddWatchMode.Persistent);
        var sessionId = client.SessionId;

        var node = await FindNodeOfSession(sessionId);
        await ensemble.KillNodeAsync(node);
        try
        {
            await client.WaitForConnectedAsync().WaitAsync(Clients.Wait);
            await using var other = await Clients.ConnectAsync(ensemble.ConnectionStringFor(node % ensemble.NodeCount + 1), TimeSpan.FromSeconds(10));
            await other.SetDataAsync(path, "after failover"u8.ToArray());

            Assert.Equal(EventType.NodeDataChanged, (await data.NextAsync()).Type);
            Assert.Equal(EventType.NodeDataChanged, (await persistent.NextAsync()).Type);
            Assert.Equal(sessionId, client.SessionId);
            Assert.NotNull(await client.ExistsAsync(path + "/e"));
            Assert.NotEqual(node, await FindNodeOfSession(sessionId));
        }
        finally
        {
            await ensemble.StartNodeAsync(node);
            await ensemble.WaitForQuorumAsync(TimeSpan.FromSeconds(30));
        }
    }

    private async Task<int> FindNodeOfSession(long sessionId)
    {
        var marker = "sid=0x" + sessionId.ToString("x", CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + Clients.Wait;
        while (DateTime.UtcNow < deadline)
        {
            for (var node = 1; node <= zk.Ensemble.NodeCount; node++)
            {
                if (!zk.Ensemble.IsNodeRunning(node))
                {
                    continue;
                }

                try
                {
                    if ((await zk.Ensemble.SendFourLetterWordAsync(node, "cons")).Contains(marker, StringComparison.Ordinal))
                    {
                        return node;
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No node lists session {marker}.");
    }
}
