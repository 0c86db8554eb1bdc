using System.Text;
using Recipes.Core.Tests.Nodes;
using Recipes.Testing.Interop;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;

namespace Recipes.Core.Tests.Interop;

/// <summary>
/// Core's protected sequential nodes and participant queue side by side with Apache Curator 5.4.0 recipes on the same
/// paths (a <see cref="CuratorPeer"/> drives Curator in a Java process).
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class CuratorInteropTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    private const string LockPath = "/lock";
    private const string LatchPath = "/latch";

    [CuratorInteropFact]
    public async Task CuratorAndCoreAgreeOnParticipantNamesAndOrder()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(CuratorAndCoreAgreeOnParticipantNamesAndOrder));
        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString);
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var session = await connection.WaitForSessionAsync();

        var curatorNode = Answer(await curator.SendAsync($"lock {root}{LockPath}"), "acquired");
        var ours = new List<SequentialNode>();
        for (var i = 0; i < 3; i++)
        {
            ours.Add(await connection.CreateProtectedSequentialAsync(LockPath, "lock-", null, session, CancellationToken.None));
        }

        var curatorOrder = Answer(await curator.SendAsync($"participants {root}{LockPath}"), "participants").Split(' ');
        var ourOrder = await new SequentialNodeQueue(connection, LockPath, "lock-").GetSortedChildrenAsync(CancellationToken.None);

        Assert.Equal(curatorOrder, ourOrder);
        Assert.Equal([PathName(curatorNode), .. ours.Select(n => n.Name)], ourOrder);
        Assert.All(ourOrder, name => Assert.Matches(NodeTestKit.CuratorLockName, name));
        Assert.Equal($"{root}{LockPath}", curatorNode[..curatorNode.LastIndexOf('/')]);

        Assert.Equal("released", await curator.SendAsync($"release {root}{LockPath}"));
    }

    [CuratorInteropFact]
    public async Task CoreWaiterIsGrantedOnlyAfterCuratorReleasesTheMutex()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(CoreWaiterIsGrantedOnlyAfterCuratorReleasesTheMutex));
        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString);
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var session = await connection.WaitForSessionAsync();

        var curatorNode = Answer(await curator.SendAsync($"lock {root}{LockPath}"), "acquired");
        var ours = await connection.CreateProtectedSequentialAsync(LockPath, "lock-", null, session, CancellationToken.None);
        var queue = new SequentialNodeQueue(connection, LockPath, "lock-");
        using var cancel = new CancellationTokenSource(NodeTestKit.Patience);
        var turn = queue.WaitForTurnAsync(ours, SequentialNodeQueue.WithinFirst(1), null, cancel.Token);

        // Wait until we watch Curator's node (our wait has begun), then check we were not granted.
        await NodeTestKit.EventuallyAsync(
            async () => NodeTestKit.ParseWatchesByPath(await zk.Server.SendFourLetterWordAsync("wchp")).TryGetValue(curatorNode, out var watchers)
                && watchers.Contains(session.SessionId),
            "the Core waiter to watch Curator's lock node");
        Assert.False(turn.IsCompleted, "granted while Curator held the mutex");
        Assert.Equal(
            $"participants {PathName(curatorNode)} {ours.Name}",
            await curator.SendAsync($"participants {root}{LockPath}"));

        Assert.Equal("released", await curator.SendAsync($"release {root}{LockPath}"));
        var result = await NodeTestKit.WithinAsync(turn, "the Core waiter's turn after Curator released");

        Assert.Equal(QueueOutcome.Granted, result.Outcome);
        Assert.Equal([ours.Name], result.SortedNames);
        Assert.Equal($"participants {ours.Name}", await curator.SendAsync($"participants {root}{LockPath}"));
    }

    [CuratorInteropFact]
    public async Task CuratorLeaderLatchSeesCoreLatchParticipant()
    {
        var root = await NodeTestKit.CreateRootAsync(zk, nameof(CuratorLeaderLatchSeesCoreLatchParticipant));
        await using var curator = await CuratorPeer.StartAsync(zk.ConnectionString);
        await using var connection = await NodeTestKit.StartConnectionAsync(zk.ConnectionString, root, o => o.LoggerFactory = NodeTestKit.Logging(output));
        var session = await connection.WaitForSessionAsync();

        var curatorNode = Answer(await curator.SendAsync($"latch {root}{LatchPath} java-1"), "started");
        var ours = await connection.CreateProtectedSequentialAsync(LatchPath, "latch-", Encoding.UTF8.GetBytes("dotnet-1"), session, CancellationToken.None);

        Assert.Matches(@"^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\d{10}$", ours.Name);
        Assert.Equal("latchparticipants java-1 dotnet-1", await curator.SendAsync($"latchparticipants {root}{LatchPath}"));
        Assert.Equal("leader java-1", await curator.SendAsync($"leader {root}{LatchPath}"));
        var ourOrder = await new SequentialNodeQueue(connection, LatchPath, "latch-").GetSortedChildrenAsync(CancellationToken.None);
        Assert.Equal([PathName(curatorNode), ours.Name], ourOrder);

        Assert.Equal("closed", await curator.SendAsync($"closelatch {root}{LatchPath}"));
    }

    /// <summary>The rest of an answer after its leading word, which must be <paramref name="word"/>.</summary>
    private static string Answer(string answer, string word)
    {
        Assert.StartsWith(word + " ", answer, StringComparison.Ordinal);
        return answer[(word.Length + 1)..];
    }

    private static string PathName(string path) => path[(path.LastIndexOf('/') + 1)..];
}
