namespace Recipes.Discovery;

/// <summary>A change to the members of a group.</summary>
public sealed class GroupMembershipChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="payload">The member's payload after the change; for <see cref="GroupMembershipChangeKind.Left"/>, as last known.</param>
    public GroupMembershipChangedEventArgs(GroupMembershipChangeKind kind, string memberId, ReadOnlyMemory<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        Kind = kind;
        MemberId = memberId;
        Payload = payload;
    }

    /// <summary>What happened.</summary>
    public GroupMembershipChangeKind Kind { get; }

    /// <summary>The member's id (its znode name).</summary>
    public string MemberId { get; }

    /// <summary>The member's payload.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {MemberId} ({Payload.Length} bytes)";
}
