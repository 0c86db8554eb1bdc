using Recipes.Testing;
using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Nodes;

/// <summary>
/// <see cref="SequentialNodeQueue.NoteReleased"/>: a node granted at once and released, followed by our next create
/// with nothing else applied in between, needs no listing; anything in between (another participant, any other write)
/// means a listing, and nobody is granted on a stale view.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class RejoinShortcutTests(ZooKeeperServerFixture zk)
{
    private static readonly Func<IReadOnlyList<string>, int, QueueDecision> Mutex = SequentialNodeQueue.WithinFirst(1);

    [Fact]
    public async Task UncontendedTurnsOnAQuietEnsembleNeedNoListingAndAreStillGrantedAlone()
    {
        // A server of its own: on the shared one, the background writes other tests leave behind (session closes and
        // expiries, guaranteed deletes) can land between our delete and our next create at any time.
        await using var server = await ZooKeeperTestServer.StartAsync();
        const string root = "/quiet";
        await using var real = await NodeTestKit.ConnectAsync(server.ConnectionString);
        await real.CreateAsync(root, null);
        var client = new InterceptingClient(real);
        var queue = NewQueue(root);

        // Ten cycles on a quiet server: after the first two (which list) the cycles need no listing. A stray write (our
        // own session's ping is not one) would cost one listing, never a wrong grant.
        var listingFree = 0;
        for (var i = 0; i < 10; i++)
        {
            var listingsBefore = client.GetChildrenCalls;
            var (entry, result) = await TurnAsync(queue, client);
            Assert.Equal(QueueOutcome.Granted, result.Outcome);
            Assert.Equal([entry.Node.Name], result.SortedNames);
            Assert.Equal([entry.Node.Name], await NodeTestKit.ChildrenAsync(real, root));
            if (client.GetChildrenCalls == listingsBefore)
            {
                listingFree++;
            }

            await real.DeleteAsync(entry.Node.Path);
            queue.NoteReleased(entry.Node);
        }

        Assert.True(listingFree >= 5, $"only {listingFree} of 10 uncontended turns went without a listing");
        Assert.Empty(await NodeTestKit.ChildrenAsync(real, root));
    }

    [Fact]
    public async Task AParticipantThatJoinedAfterOurReleaseIsSeenAndKeepsTheTurn()
    {
        await using var setup = await CreateAloneAsync(nameof(AParticipantThatJoinedAfterOurReleaseIsSeenAndKeepsTheTurn));
        var (root, real, other, client, queue) = setup;

        // Someone else joins (and holds) between our release and our next join.
        var theirs = await NewQueue(root).JoinAsync("lock-", null, NodeTestKit.SessionOf(other), CancellationToken.None);
        Assert.True((await NewQueue(root).WaitForTurnAsync(theirs, Mutex, TimeSpan.Zero, CancellationToken.None)).IsGranted);

        var listingsBefore = client.GetChildrenCalls;
        var (ours, result) = await TurnAsync(queue, client, TimeSpan.Zero);

        Assert.Equal(QueueOutcome.TimedOut, result.Outcome);
        Assert.Equal([theirs.Node.Name, ours.Node.Name], result.SortedNames);
        Assert.Equal(listingsBefore + 1, client.GetChildrenCalls);
        await real.DeleteAsync(ours.Node.Path);
        await other.DeleteAsync(theirs.Node.Path);
    }

    [Fact]
    public async Task AnyOtherWriteInBetweenMeansAListingAndTheNextJoinPipelinesItAgain()
    {
        await using var setup = await CreateAloneAsync(nameof(AnyOtherWriteInBetweenMeansAListingAndTheNextJoinPipelinesItAgain));
        var (root, real, other, client, queue) = setup;

        // An unrelated write elsewhere in the ensemble: the participants did not change, but nothing proves it.
        await other.CreateAsync(root + "-elsewhere", null, CreateMode.Ephemeral);
        var listingsBefore = client.GetChildrenCalls;
        var (entry, result) = await TurnAsync(queue, client);

        Assert.Equal(QueueOutcome.Granted, result.Outcome);
        Assert.Equal([entry.Node.Name], result.SortedNames);
        Assert.Equal(listingsBefore + 1, client.GetChildrenCalls);
        await real.DeleteAsync(entry.Node.Path);
        queue.NoteReleased(entry.Node);

        // The next join pipelines its listing with the create again (a busy ensemble costs no extra round trip).
        var createsBefore = client.CreateCalls;
        (entry, result) = await TurnAsync(queue, client);
        Assert.True(result.IsGranted);
        Assert.Equal((createsBefore + 1, listingsBefore + 2), (client.CreateCalls, client.GetChildrenCalls));
        await real.DeleteAsync(entry.Node.Path);
    }

    [Fact]
    public async Task ANodeReleasedWithoutTellingTheQueueOrNotGrantedAtOnceIsNeverAShortcut()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(ANodeReleasedWithoutTellingTheQueueOrNotGrantedAtOnceIsNeverAShortcut));
        await using var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var client = new InterceptingClient(real);
        var queue = NewQueue(root);

        // Granted at once but released without NoteReleased: every join lists.
        for (var i = 0; i < 3; i++)
        {
            var listingsBefore = client.GetChildrenCalls;
            var (entry, result) = await TurnAsync(queue, client);
            Assert.True(result.IsGranted);
            Assert.Equal(listingsBefore + 1, client.GetChildrenCalls);
            await real.DeleteAsync(entry.Node.Path);
        }

        // NoteReleased for a node the queue did not grant changes nothing either.
        var foreign = new SequentialNode(root + "/_c_00000000-0000-4000-8000-000000000000-lock-0000000099", "_c_00000000-0000-4000-8000-000000000000-lock-0000000099", 1, NodeTestKit.SessionOf(real));
        queue.NoteReleased(foreign);
        var before = client.GetChildrenCalls;
        var (last, lastResult) = await TurnAsync(queue, client);
        Assert.True(lastResult.IsGranted);
        Assert.Equal(before + 1, client.GetChildrenCalls);
        await real.DeleteAsync(last.Node.Path);
    }

    /// <summary>A root, two sessions (ours counted) and our queue, brought to sending its next create alone.</summary>
    private async Task<Setup> CreateAloneAsync(string name)
    {
        var root = await NodeTestKit.CreateRootAsync(zk, name);
        var real = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var other = await NodeTestKit.ConnectAsync(zk.ConnectionString);
        var setup = new Setup(root, real, other, new InterceptingClient(real), NewQueue(root));
        await ReachCreateAloneAsync(setup.Queue, setup.Client, real);
        return setup;
    }

    /// <summary>Uncontended turns until one goes without a listing: the queue then sends its next create alone.</summary>
    private static async Task ReachCreateAloneAsync(SequentialNodeQueue queue, InterceptingClient client, ZooKeeperClient real)
    {
        for (var i = 0; i < 10; i++)
        {
            var listingsBefore = client.GetChildrenCalls;
            var (entry, result) = await TurnAsync(queue, client);
            Assert.True(result.IsGranted);
            await real.DeleteAsync(entry.Node.Path);
            queue.NoteReleased(entry.Node);
            if (client.GetChildrenCalls == listingsBefore)
            {
                return;
            }
        }

        Assert.Fail("ten uncontended turns on the quiet test server all needed a listing");
    }

    private static async Task<(QueueEntry Entry, QueueResult Result)> TurnAsync(SequentialNodeQueue queue, InterceptingClient client, TimeSpan? timeout = null)
    {
        var entry = await queue.JoinAsync("lock-", null, NodeTestKit.SessionOf(client), CancellationToken.None);
        return (entry, await queue.WaitForTurnAsync(entry, Mutex, timeout, CancellationToken.None));
    }

    private static SequentialNodeQueue NewQueue(string root) =>
        new(NodeTestKit.MockConnection().Object, root, "lock-") { PredecessorsOnly = true, DeferOwnNodeWatch = true };

    private sealed record Setup(string Root, ZooKeeperClient Real, ZooKeeperClient Other, InterceptingClient Client, SequentialNodeQueue Queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Real.DisposeAsync();
            await Other.DisposeAsync();
        }
    }
}
