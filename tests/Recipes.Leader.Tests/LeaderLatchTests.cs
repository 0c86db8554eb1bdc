using System.Text.RegularExpressions;
using Recipes.Core;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Leader.Tests.LeaderTestKit;

namespace Recipes.Leader.Tests;

[Collection(LeaderCollection.Name)]
public sealed class LeaderLatchTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string CuratorLatchName = @"^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\d{10}$";

    [Fact]
    public async Task ExactlyOneLeaderAmongThree_AndGracefulStopHandsOverWithAHigherTerm()
    {
        var root = zk.NewRoot(nameof(ExactlyOneLeaderAmongThree_AndGracefulStopHandsOverWithAHigherTerm));
        var connections = new List<ZooKeeperConnection>();
        var latches = new List<LeaderLatch>();
        var gate = new Lock();
        var violations = new List<string>();
        var grants = new List<LeadershipTerm>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var connection = await ConnectAsync(zk.ConnectionString, root, output, "p" + i);
                connections.Add(connection);
                var latch = new LeaderLatch(connection, Election, Id("p" + i));
                latches.Add(latch);
            }

            foreach (var latch in latches)
            {
                latch.LeadershipChanged += (_, e) =>
                {
                    lock (gate)
                    {
                        var leaders = latches.Count(l => l.IsLeader);
                        if (leaders > 1)
                        {
                            violations.Add($"{leaders} leaders when {e.Term} {(e.IsLeader ? "started" : "ended")}");
                        }

                        if (e.IsLeader)
                        {
                            grants.Add(e.Term);
                        }
                    }
                };
            }

            foreach (var latch in latches)
            {
                await latch.StartAsync();
            }

            var remaining = latches.ToList();
            long previousTerm = 0;
            while (remaining.Count > 0)
            {
                await EventuallyAsync(() => remaining.Count(l => l.IsLeader) == 1, "one leader among the remaining participants");
                var leader = remaining.Single(l => l.IsLeader);
                var term = leader.CurrentTerm!;
                Assert.True(term.Term > previousTerm, $"term {term.Term} after {previousTerm}");
                Assert.Equal(leader.ParticipantId, (await leader.GetLeaderAsync())!.Id);
                previousTerm = term.Term;

                await WithinAsync(leader.StopAsync(), "stopping the leader");
                Assert.True(term.IsLost);
                Assert.False(leader.IsLeader);
                remaining.Remove(leader);
            }

            lock (gate)
            {
                Assert.Empty(violations);
                Assert.Equal(3, grants.Count);
                Assert.Equal(3, grants.Select(g => g.ParticipantId).Distinct().Count());
            }
        }
        finally
        {
            foreach (var latch in latches)
            {
                await latch.DisposeAsync();
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ParticipantsAreVisibleByIdAndAStoppedParticipantLeavesNoNode()
    {
        var root = zk.NewRoot(nameof(ParticipantsAreVisibleByIdAndAStoppedParticipantLeavesNoNode));
        await using var first = await ConnectAsync(zk.ConnectionString, root, output, "alpha");
        await using var second = await ConnectAsync(zk.ConnectionString, root, output, "beta");
        await using var alpha = new LeaderLatch(first, Election, Id("alpha"));
        await using var beta = new LeaderLatch(second, Election, Id("beta"));

        await alpha.StartAsync();
        var term = await WithinAsync(alpha.WaitForLeadershipAsync(Patience), "alpha leads");
        Assert.NotNull(term);
        await beta.StartAsync();
        Assert.Null(await beta.WaitForLeadershipAsync(TimeSpan.Zero));

        await EventuallyAsync(() => ChildrenAsync(zk, root, Election).GetAwaiter().GetResult().Count == 2, "both nodes exist");
        var participants = await beta.GetParticipantsAsync();
        Assert.Equal(["alpha", "beta"], participants.Select(p => p.Id));
        Assert.Equal([true, false], participants.Select(p => p.IsLeader));
        Assert.All(participants, p => Assert.Matches(new Regex(CuratorLatchName), p.NodeName));
        Assert.Equal(term!.NodePath, Election + "/" + participants[0].NodeName);

        await beta.StopAsync();
        var children = await ChildrenAsync(zk, root, Election);
        Assert.Equal([participants[0].NodeName], children);
        Assert.True(alpha.IsLeader);

        await alpha.StopAsync();
        Assert.Empty(await ChildrenAsync(zk, root, Election));
        Assert.True(term.IsLost);
        Assert.Null(await alpha.GetLeaderAsync());
    }

    [Fact]
    public async Task WaitForJoinAsyncTellsWhenTheLatchHasItsNodeInLine()
    {
        var root = zk.NewRoot(nameof(WaitForJoinAsyncTellsWhenTheLatchHasItsNodeInLine));
        await using var connection = await ConnectAsync(zk.ConnectionString, root, output, "joiner");
        await using var first = new LeaderLatch(connection, Election, Id("first"));
        await using var second = new LeaderLatch(connection, Election, Id("second"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitForJoinAsync());

        await first.StartAsync();
        await second.StartAsync();
        var firstNode = await WithinAsync(first.WaitForJoinAsync(), "the first latch to join");
        var secondNode = await WithinAsync(second.WaitForJoinAsync(), "the second latch to join");

        var participants = await first.GetParticipantsAsync();
        Assert.Equal(
            new[] { (firstNode, "first"), (secondNode, "second") }.OrderBy(p => p.Item1[^10..], StringComparer.Ordinal),
            participants.Select(p => (Election + "/" + p.NodeName, p.Id)));
        Assert.Matches(new Regex(CuratorLatchName), firstNode[(Election.Length + 1)..]);
        Assert.Equal(firstNode, await first.WaitForJoinAsync()); // completes at once once joined

        await first.StopAsync();
        Assert.Equal(firstNode, await first.WaitForJoinAsync()); // still the node it joined with
        Assert.DoesNotContain(firstNode[(Election.Length + 1)..], await ChildrenAsync(zk, root, Election));
    }
}
