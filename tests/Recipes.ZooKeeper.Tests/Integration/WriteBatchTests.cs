using Recipes.Testing.Xunit;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary><see cref="IZooKeeperClient.BatchWrites"/> against a real server: one write per batch, nothing else changes.</summary>
[Collection(ServerCollection.Name)]
public sealed class WriteBatchTests(ZooKeeperServerFixture zk)
{
    // A long session: its pings (every 10 s) cannot land inside a test and add a write of their own.
    private static readonly TimeSpan QuietSession = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Requests_started_in_a_batch_are_written_together_when_it_ends_and_answered_in_order()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("batch"), QuietSession);
        await client.CreateAsync("/parent", null);
        var writes = client.WriteCount;

        Task<CreateResult> create;
        Task<ChildrenResult> listing;
        Task<Stat?> exists;
        using (var batch = client.BatchWrites())
        {
            Assert.True(batch.IsActive);
            create = client.CreateAsync("/parent/node-", "x"u8.ToArray(), CreateMode.EphemeralSequential);
            listing = client.GetChildrenAsync("/parent");
            exists = client.ExistsAsync("/parent/missing");

            // Held: the idle writer serialized them on this thread but did not write.
            Assert.Equal(writes, client.WriteCount);
        }

        // Ended: one write for all three.
        Assert.Equal(writes + 1, client.WriteCount);
        var created = await create;
        var children = await listing;
        Assert.Null(await exists);

        // The server answered in order: the listing, sent after the create, shows its node.
        Assert.Equal([created.Path["/parent/".Length..]], children.Children);
        Assert.Equal(client.SessionId, created.Stat.EphemeralOwner);
    }

    [Fact]
    public async Task Requests_from_other_threads_are_not_held_back_by_an_open_batch()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("batch-other"), QuietSession);
        await client.CreateAsync("/a", "a"u8.ToArray());

        var batch = client.BatchWrites();
        try
        {
            var held = client.GetDataAsync("/a");

            // Another thread's request is written at once, and takes the held one along.
            var other = await Task.Run(() => client.GetDataAsync("/a")).WaitAsync(Clients.Wait);
            Assert.Equal("a"u8.ToArray(), other.Data);
            Assert.Equal("a"u8.ToArray(), (await held.WaitAsync(Clients.Wait)).Data);
        }
        finally
        {
            batch.Dispose();
        }
    }

    [Fact]
    public async Task Only_one_batch_is_open_at_a_time_and_one_ended_on_another_thread_still_ends()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("batch-nested"), QuietSession);
        await client.CreateAsync("/a", null);

        var outer = client.BatchWrites();
        var inner = client.BatchWrites();
        Assert.True(outer.IsActive);
        Assert.False(inner.IsActive);
        var writes = client.WriteCount;
        var first = client.ExistsAsync("/a");
        inner.Dispose();
        Assert.Equal(writes, client.WriteCount);

        // Ended from another thread (as after an await inside the scope): the held request is written.
        await Task.Run(outer.Dispose);
        Assert.NotNull(await first.WaitAsync(Clients.Wait));

        // And this thread's requests are no longer held.
        var writesAfter = client.WriteCount;
        var second = client.ExistsAsync("/a");
        Assert.Equal(writesAfter + 1, client.WriteCount);
        Assert.NotNull(await second.WaitAsync(Clients.Wait));
        using var again = client.BatchWrites();
        Assert.True(again.IsActive);
    }
}
