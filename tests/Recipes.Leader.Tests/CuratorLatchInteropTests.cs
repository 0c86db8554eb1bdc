using Recipes.Testing.Interop;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Leader.Tests.LeaderTestKit;

namespace Recipes.Leader.Tests;

/// <summary>A Curator <c>LeaderLatch</c> (through the test kit's Java peer) and ours on one election path.</summary>
[Collection(LeaderCollection.Name)]
public sealed class CuratorLatchInteropTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [CuratorInteropFact]
    public async Task CuratorsLatchAndOursAgreeOnOneLeaderAndOnParticipantsThroughHandOvers()
    {
        var root = zk.NewRoot(nameof(CuratorsLatchAndOursAgreeOnOneLeaderAndOnParticipantsThroughHandOvers));
        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString);
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "dotnet");
        var path = root + Election; // Curator's view: no namespace
        await using var ours = new LeaderLatch(connection, Election, Id("dotnet-1"));

        // Curator joins first and leads; ours joins behind it.
        Assert.StartsWith("started " + path + "/", await curator.SendAsync($"latch {path} java-1"), StringComparison.Ordinal);
        await ours.StartAsync();
        await WithinAsync(ours.WaitForJoinAsync(), "our latch to join");
        Assert.Equal("latchparticipants java-1 dotnet-1", await curator.SendAsync($"latchparticipants {path}"));
        Assert.Equal("leader java-1", await curator.SendAsync($"leader {path}"));
        Assert.Equal([("java-1", true), ("dotnet-1", false)], (await ours.GetParticipantsAsync()).Select(p => (p.Id, p.IsLeader)));
        await CuratorLeadsAsync(curator, path, true);
        Assert.False(ours.IsLeader);
        Assert.Null(await ours.WaitForLeadershipAsync(TimeSpan.Zero));

        // Curator's leader closes: ours takes over, and a new Curator latch queues behind ours.
        Assert.Equal("closed", await curator.SendAsync($"closelatch {path}"));
        var term = await WithinAsync(ours.WaitForLeadershipAsync(Patience), "our latch to lead after Curator's closed");
        Assert.NotNull(term);
        Assert.StartsWith("started ", await curator.SendAsync($"latch {path} java-2"), StringComparison.Ordinal);
        Assert.Equal("latchparticipants dotnet-1 java-2", await curator.SendAsync($"latchparticipants {path}"));
        Assert.Equal("leader dotnet-1", await curator.SendAsync($"leader {path}"));
        await CuratorLeadsAsync(curator, path, false);
        Assert.True(ours.IsLeader);
        Assert.Equal([("dotnet-1", true), ("java-2", false)], (await ours.GetParticipantsAsync()).Select(p => (p.Id, p.IsLeader)));

        // Ours stops: its term ends first, then Curator's latch leads.
        await WithinAsync(ours.StopAsync(), "our latch to stop");
        Assert.True(term!.IsLost);
        await CuratorLeadsAsync(curator, path, true);
        Assert.Equal("latchparticipants java-2", await curator.SendAsync($"latchparticipants {path}"));
        Assert.Equal([("java-2", true)], (await ours.GetParticipantsAsync()).Select(p => (p.Id, p.IsLeader)));
        Assert.Equal("closed", await curator.SendAsync($"closelatch {path}"));
    }

    /// <summary>Polls Curator's <c>hasLeadership()</c> until it is <paramref name="expected"/>.</summary>
    private static async Task CuratorLeadsAsync(CuratorPeer curator, string path, bool expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await curator.SendAsync($"isleader {path}") != $"isleader {(expected ? "true" : "false")}")
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Curator's latch on {path} did not report leadership = {expected} within {Patience.TotalSeconds:0} s");
            }

            await Task.Delay(20);
        }
    }
}
