using System.Diagnostics;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Leader.Tests.LeaderTestKit;

namespace Recipes.Leader.Tests;

[Collection(LeaderCollection.Name)]
public sealed class LeaderLatchFaultTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task PartitionedLeaderEndsItsTermBeforeAnotherParticipantLeads()
    {
        var root = zk.NewRoot(nameof(PartitionedLeaderEndsItsTermBeforeAnotherParticipantLeads));
        await using var proxy = StartProxy(zk);
        await using var partitioned = await ConnectAsync(proxy.ConnectionString, root, output, "A");
        await using var healthy = await ConnectAsync(zk.ConnectionString, root, output, "B");
        await using var a = new LeaderLatch(partitioned, Election, Id("A"));
        await using var b = new LeaderLatch(healthy, Election, Id("B"));

        await a.StartAsync();
        var term = (await WithinAsync(a.WaitForLeadershipAsync(Patience), "A leads"))!;
        await b.StartAsync();
        await EventuallyAsync(() => ChildrenAsync(zk, root, Election).GetAwaiter().GetResult().Count == 2, "B is in line");

        var clock = Stopwatch.StartNew();
        TimeSpan? lostAt = null;
        TimeSpan? otherLeadsAt = null;
        var otherLeads = new TaskCompletionSource<LeadershipTerm>(TaskCreationOptions.RunContinuationsAsynchronously);
        term.LostToken.Register(() => lostAt ??= clock.Elapsed);
        b.LeadershipChanged += (_, e) =>
        {
            if (e.IsLeader)
            {
                otherLeadsAt ??= clock.Elapsed;
                otherLeads.TrySetResult(e.Term);
            }
        };

        proxy.Mode = FaultMode.Blackhole;
        var bTerm = await WithinAsync(otherLeads.Task, "B leads once A's session expired");
        output.WriteLine($"A's term ended at {lostAt?.TotalMilliseconds:0} ms, B leads at {otherLeadsAt?.TotalMilliseconds:0} ms");
        Assert.NotNull(lostAt);
        Assert.NotNull(otherLeadsAt);
        Assert.True(lostAt < otherLeadsAt, $"A's term ended at {lostAt}, after B took over at {otherLeadsAt}");
        Assert.False(a.IsLeader);
        Assert.True(bTerm.Term > term.Term);

        // Healed: A gets a new session and joins again behind B with a new node.
        proxy.Mode = FaultMode.Pass;
        await EventuallyAsync(() => b.GetParticipantsAsync().GetAwaiter().GetResult().Select(p => p.Id).SequenceEqual(["B", "A"]), "A joins again behind B");
        Assert.False(a.IsLeader);
        Assert.True(b.IsLeader);
    }

    [Fact]
    public async Task BlipShorterThanTheGraceKeepsTheSameTerm()
    {
        var root = zk.NewRoot(nameof(BlipShorterThanTheGraceKeepsTheSameTerm));
        await using var proxy = StartProxy(zk);
        await using var blipping = await ConnectAsync(proxy.ConnectionString, root, output, "A");
        await using var other = await ConnectAsync(zk.ConnectionString, root, output, "B");
        await using var a = new LeaderLatch(blipping, Election, Id("A"));
        await using var b = new LeaderLatch(other, Election, Id("B"));

        await a.StartAsync();
        var term = (await WithinAsync(a.WaitForLeadershipAsync(Patience), "A leads"))!;
        await b.StartAsync();
        await EventuallyAsync(() => ChildrenAsync(zk, root, Election).GetAwaiter().GetResult().Count == 2, "B is in line");
        var changes = 0;
        a.LeadershipChanged += (_, _) => Interlocked.Increment(ref changes);
        b.LeadershipChanged += (_, _) => Interlocked.Increment(ref changes);
        var sessionId = blipping.CurrentSession!.SessionId;

        var suspended = NextStateAsync(blipping, ConnectionState.Suspended);
        var reconnected = NextStateAsync(blipping, ConnectionState.Reconnected);
        var clock = Stopwatch.StartNew();
        proxy.Reset();
        await WithinAsync(suspended, "the connection is suspended");
        var change = await WithinAsync(reconnected, "the connection is back");
        output.WriteLine($"Reconnected {clock.ElapsedMilliseconds} ms after the reset");
        Assert.False(change.IsNewSession);
        Assert.Equal(sessionId, change.SessionId);

        // A round trip after the reconnect: the participants are unchanged and A still leads in the same term.
        var participants = await a.GetParticipantsAsync();
        Assert.Equal(["A", "B"], participants.Select(p => p.Id));
        Assert.True(a.IsLeader);
        Assert.Same(term, a.CurrentTerm);
        Assert.False(term.IsLost);
        Assert.False(b.IsLeader);
        Assert.Equal(0, Volatile.Read(ref changes));
    }
}
