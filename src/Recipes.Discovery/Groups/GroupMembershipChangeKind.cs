namespace Recipes.Discovery;

/// <summary>What happened to a member of a <see cref="GroupMember"/>'s group.</summary>
public enum GroupMembershipChangeKind
{
    /// <summary>A member joined (also raised for the members present when observation starts).</summary>
    Joined = 0,

    /// <summary>A member's payload changed.</summary>
    Updated = 1,

    /// <summary>A member left: it ended its membership, or its session ended.</summary>
    Left = 2,
}
