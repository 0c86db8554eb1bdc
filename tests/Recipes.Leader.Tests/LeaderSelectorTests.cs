using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Leader.Tests.LeaderTestKit;

namespace Recipes.Leader.Tests;

[Collection(LeaderCollection.Name)]
public sealed class LeaderSelectorTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task CallbackRunsWhileLeadingAndTheSelectorRequeuesAfterItReturns()
    {
        var root = zk.NewRoot(nameof(CallbackRunsWhileLeadingAndTheSelectorRequeuesAfterItReturns));
        await using var first = await ConnectAsync(zk.ConnectionString, root, output, "X");
        await using var second = await ConnectAsync(zk.ConnectionString, root, output, "Y");
        var gate = new Lock();
        var terms = new List<LeadershipTerm>();
        var running = 0;
        var overlaps = 0;

        async Task LeadAsync(LeadershipTerm term, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref running) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            lock (gate)
            {
                terms.Add(term);
            }

            await Task.Yield();
            Interlocked.Decrement(ref running);
        }

        await using var x = new LeaderSelector(first, Election, LeadAsync, Id("X"));
        await using var y = new LeaderSelector(second, Election, LeadAsync, Id("Y"));
        await x.StartAsync();
        await y.StartAsync();

        await EventuallyAsync(
            () =>
            {
                lock (gate)
                {
                    return terms.Count >= 6 && terms.Select(t => t.ParticipantId).Distinct().Count() == 2;
                }
            },
            "both selectors led several times");
        await x.StopAsync();
        await y.StopAsync();

        lock (gate)
        {
            for (var i = 1; i < terms.Count; i++)
            {
                Assert.True(terms[i].Term > terms[i - 1].Term, $"term {terms[i].Term} after {terms[i - 1].Term}");
            }

            Assert.All(terms, t => Assert.True(t.IsLost));
        }

        Assert.Equal(0, Volatile.Read(ref overlaps));
        Assert.Empty(await ChildrenAsync(zk, root, Election));
    }
}
