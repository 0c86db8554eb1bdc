using Recipes.Testing.Xunit;
using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Locks.Tests;

/// <summary>Lock node data larger than the server accepts fails clearly before anything is sent, and nothing is lost.</summary>
[Collection(LocksCollection.Name)]
public sealed class OversizedDataTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task NodeDataLargerThanAFrameFailsClearlyAndLeavesNoNodeAndAWorkingConnection()
    {
        await using var kit = await LockTestKit.StartAsync(zk, output, nameof(NodeDataLargerThanAFrameFailsClearlyAndLeavesNoNodeAndAWorkingConnection));
        var connection = await kit.ConnectAsync();
        await using var held = await new ZooKeeperMutex(connection, "/locks/other").AcquireAsync(LockTestKit.Patience);

        var tooBig = new byte[ZooKeeperClientOptions.ServerDefaultMaxFrameSize + 1];
        var error = await Assert.ThrowsAsync<ArgumentException>(() => new ZooKeeperMutex(connection, "/locks/m", tooBig).AcquireAsync(LockTestKit.Patience));
        output.WriteLine(error.ToString());
        Assert.Contains("/locks/m", error.Message, StringComparison.Ordinal);
        Assert.Matches("(?i)large|size|bytes", error.Message);

        // Nothing half-made, and the session (with the other lock) is intact.
        Assert.Empty(await kit.ChildrenAsync("/locks/m"));
        Assert.False(held.IsLost);
        await using var after = await new ZooKeeperMutex(connection, "/locks/m").AcquireAsync(LockTestKit.Patience);
        Assert.Single(await kit.ChildrenAsync("/locks/m"));
    }
}
