using System.Text;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Discovery.Tests.DiscoveryTestKit;

namespace Recipes.Discovery.Tests;

[Collection(DiscoveryCollection.Name)]
public sealed class GroupMemberTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task Members_see_each_other_join_change_and_leave()
    {
        var root = zk.NewRoot(nameof(Members_see_each_other_join_change_and_leave));
        await using var c1 = await ConnectAsync(zk.ConnectionString, root, output, "m1");
        await using var c2 = await ConnectAsync(zk.ConnectionString, root, output, "m2");
        await using var m1 = new GroupMember(c1, "/groups/workers", "m1", "one"u8.ToArray());
        var m2 = new GroupMember(c2, "/groups/workers", "m2", "two"u8.ToArray());
        await m1.StartAsync();
        await m2.StartAsync();

        await WithinAsync(m1.WaitForMembersAsync(ids => ids.Count == 2), "m1 sees both");
        Assert.Equal("two", Encoding.UTF8.GetString(m1.CurrentMembers["m2"].Span));
        Assert.Equal(["m1", "m2"], m2.CurrentMembers.Keys.Order(StringComparer.Ordinal));

        var updated = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        m1.MembershipChanged += (_, e) =>
        {
            if (e.Kind == GroupMembershipChangeKind.Updated && e.MemberId == "m2")
            {
                updated.TrySetResult(Encoding.UTF8.GetString(e.Payload.Span));
            }
        };
        await m2.SetPayloadAsync("two-b"u8.ToArray());
        Assert.Equal("two-b", await WithinAsync(updated.Task, "m1 sees m2's new payload"));

        await m2.DisposeAsync();
        await WithinAsync(m1.WaitForMembersAsync(ids => ids.SequenceEqual(["m1"])), "m2 leaves");
    }

    [Fact]
    public async Task A_member_whose_session_expires_leaves_and_rejoins()
    {
        var root = zk.NewRoot(nameof(A_member_whose_session_expires_leaves_and_rejoins));
        await using var c1 = await ConnectAsync(zk.ConnectionString, root, output, "m1");
        await using var c2 = await ConnectAsync(zk.ConnectionString, root, output, "m2");
        await using var m1 = new GroupMember(c1, "/g", "m1");
        await using var m2 = new GroupMember(c2, "/g", "m2");
        await m1.StartAsync();
        await m2.StartAsync();
        await WithinAsync(m1.WaitForMembersAsync(ids => ids.Count == 2), "both members");

        var left = m1.WaitForMembersAsync(ids => ids.SequenceEqual(["m1"]));
        await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, c2.CurrentSession!.Client);
        await WithinAsync(left, "m2 leaves with its session");
        await WithinAsync(m1.WaitForMembersAsync(ids => ids.Count == 2), "m2's keeper rejoins");
    }
}
