using Recipes.Testing.Internal;
using Recipes.Testing.Xunit;

namespace Recipes.Testing.Tests;

public sealed class EnsembleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_nodes_elect_one_leader_and_a_new_one_when_it_dies()
    {
        var fixture = new ZooKeeperEnsembleFixture();
        await fixture.InitializeAsync();
        try
        {
            var ensemble = fixture.Ensemble;
            Assert.Equal(3, ensemble.NodeCount);
            var ports = Enumerable.Range(1, 3).Select(ensemble.ClientPortFor).ToList();
            Assert.Equal(3, ports.Distinct().Count());
            Assert.Equal(string.Join(',', ports.Select(p => $"127.0.0.1:{p}")), fixture.ConnectionString);
            Assert.Equal($"127.0.0.1:{ports[1]}", ensemble.ConnectionStringFor(2));
            Assert.Throws<ArgumentOutOfRangeException>(() => ensemble.ConnectionStringFor(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => ensemble.ConnectionStringFor(4));

            var modes = await Task.WhenAll(Enumerable.Range(1, 3).Select(async n => FourLetterWords.ParseMode(await ensemble.SendFourLetterWordAsync(n, "srvr"))));
            Assert.Single(modes, m => m == "leader");
            Assert.Equal(2, modes.Count(m => m == "follower"));

            var leader = await ensemble.FindLeaderAsync();
            Assert.Equal("leader", modes[leader - 1]);

            // A session on one node is killed through another node.
            var victimNode = leader == 1 ? 2 : 1;
            var (victim, session) = await RawRequests.NewSessionAsync(ensemble.ClientPortFor(victimNode), CancellationToken.None);
            await using (victim)
            {
                var closed = RawRequests.ReadUntilClosedAsync(victim, CancellationToken.None);
                await ZooKeeperSessionKiller.KillAsync(ensemble.ConnectionStringFor(leader), session.SessionId, session.Password, CancellationToken.None);
                Assert.True(await Eventually.WithinAsync(closed, Timeout, "the victim's connection to close"));
            }

            var leaderPid = ensemble.ProcessIdOf(leader)!.Value;
            await ensemble.KillNodeAsync(leader);
            Assert.False(ensemble.IsNodeRunning(leader));
            Assert.Null(ensemble.ProcessIdOf(leader));
            Assert.False(NativeMethods.IsAlive(leaderPid));

            await ensemble.WaitForQuorumAsync(Timeout);
            var newLeader = await ensemble.FindLeaderAsync();
            Assert.NotEqual(leader, newLeader);

            await ensemble.StartNodeAsync(leader);
            await ensemble.WaitForQuorumAsync(Timeout);
            Assert.Equal("follower", FourLetterWords.ParseMode(await ensemble.SendFourLetterWordAsync(leader, "srvr")));
            Assert.Equal(newLeader, await ensemble.FindLeaderAsync());

            await ensemble.StopNodeAsync(newLeader);
            Assert.False(ensemble.IsNodeRunning(newLeader));
            await ensemble.WaitForQuorumAsync(Timeout);
        }
        finally
        {
            var directory = fixture.Ensemble.DataDirectory;
            await fixture.DisposeAsync();
            Assert.False(Directory.Exists(directory));
        }
    }
}
