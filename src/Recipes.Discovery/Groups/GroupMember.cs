using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Discovery.Internal;

namespace Recipes.Discovery;

/// <summary>
/// Membership of a named group, for failure detection and cluster membership: Curator's <c>GroupMember</c>. This
/// process is a member while the object lives (an ephemeral node <c>&lt;group path&gt;/&lt;member id&gt;</c> holding
/// the payload, kept through session loss by Core's <see cref="EphemeralNodeKeeper"/>), and it observes every live
/// member through Core's <see cref="TreeCache"/>. A member whose process dies leaves once the server expires its session.
/// </summary>
public sealed class GroupMember : IAsyncDisposable
{
    private readonly EphemeralNodeKeeper _keeper;
    private readonly TreeCache _cache;
    private readonly ILogger _logger;
    private int _started;

    /// <summary>Creates a member; nothing happens until <see cref="StartAsync"/>.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="groupPath">The group's znode, e.g. <c>/groups/workers</c> (created as a container when missing).</param>
    /// <param name="memberId">This member's id (one znode name, unique in the group).</param>
    /// <param name="payload">Data the other members see (copied); null for none.</param>
    public GroupMember(IZooKeeperConnection connection, string groupPath, string memberId, byte[]? payload = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!Recipes.ZooKeeper.PathUtils.IsValid(groupPath))
        {
            throw new ArgumentException($"The group path '{groupPath}' is not a valid znode path.", nameof(groupPath));
        }

        NodeNames.Validate(memberId, "member id", nameof(memberId));
        GroupPath = groupPath;
        MemberId = memberId;
        _logger = connection.LoggerFactory.CreateLogger<GroupMember>();
        _keeper = new EphemeralNodeKeeper(connection, NodeNames.Combine(groupPath, memberId), payload);
        _cache = new TreeCache(connection, groupPath, new TreeCacheOptions { MaxDepth = 1 });
        _cache.Created += (_, e) => Raise(GroupMembershipChangeKind.Joined, e.Path, e.NewNode);
        _cache.Changed += (_, e) => Raise(GroupMembershipChangeKind.Updated, e.Path, e.NewNode);
        _cache.Deleted += (_, e) => Raise(GroupMembershipChangeKind.Left, e.Path, e.OldNode);
    }

    /// <summary>The group's znode.</summary>
    public string GroupPath { get; }

    /// <summary>This member's id.</summary>
    public string MemberId { get; }

    /// <summary>Raised for every member that joins, changes its payload or leaves, one at a time, in order.</summary>
    public event EventHandler<GroupMembershipChangedEventArgs>? MembershipChanged;

    /// <summary>The live members by id, with their payloads, as one snapshot (this member included once its node exists).</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> CurrentMembers =>
        _cache.Snapshot()
            .Where(node => node.Key.Length > GroupPath.Length)
            .ToDictionary(node => MemberName(node.Key), node => (ReadOnlyMemory<byte>)(node.Value.Data ?? []), StringComparer.Ordinal);

    /// <summary>Joins the group and starts observing it; completes once this member's node exists and the members are loaded.</summary>
    /// <param name="cancellationToken">Stops waiting (the membership keeps being established in the background).</param>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"The membership of '{MemberId}' in '{GroupPath}' was already started.");
        }

        await _keeper.StartAsync(cancellationToken);
        await _keeper.WaitForCreatedAsync(Timeout.InfiniteTimeSpan, cancellationToken);
        await _cache.StartAsync(cancellationToken);
    }

    /// <summary>Replaces this member's payload (also used whenever the node is re-created).</summary>
    /// <param name="payload">The new payload (copied).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task SetPayloadAsync(byte[]? payload, CancellationToken cancellationToken = default) => _keeper.SetDataAsync(payload, cancellationToken);

    /// <summary>Completes with the first member set (the current one included) for which <paramref name="predicate"/> holds.</summary>
    /// <param name="predicate">The condition, over the member ids; it must be quick.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<IReadOnlyCollection<string>> WaitForMembersAsync(Func<IReadOnlyCollection<string>, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var done = new TaskCompletionSource<IReadOnlyCollection<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(object? sender, GroupMembershipChangedEventArgs e)
        {
            var ids = CurrentMembers.Keys.ToList();
            if (predicate(ids))
            {
                done.TrySetResult(ids);
            }
        }

        MembershipChanged += Check;
        try
        {
            Check(this, new GroupMembershipChangedEventArgs(GroupMembershipChangeKind.Updated, MemberId, default));
            return await done.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            MembershipChanged -= Check;
        }
    }

    /// <summary>Leaves the group (deletes this member's node) and stops observing it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _keeper.DisposeAsync();
        await _cache.DisposeAsync();
    }

    /// <inheritdoc />
    public override string ToString() => $"GroupMember({GroupPath}/{MemberId})";

    private string MemberName(string path) => path[(GroupPath == "/" ? 1 : GroupPath.Length + 1)..];

    private void Raise(GroupMembershipChangeKind kind, string path, NodeSnapshot? node)
    {
        if (path.Length <= GroupPath.Length)
        {
            return; // the group node itself
        }

        try
        {
            MembershipChanged?.Invoke(this, new GroupMembershipChangedEventArgs(kind, MemberName(path), node?.Data ?? []));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A MembershipChanged handler of '{Member}' in '{Group}' threw.", MemberId, GroupPath);
        }
    }
}
