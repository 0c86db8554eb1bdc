namespace Recipes.Leader;

/// <summary>Leadership was taken or ended.</summary>
/// <param name="isLeader">Whether the participant leads now.</param>
/// <param name="term">The term that started (when leading) or ended (when not).</param>
public sealed class LeadershipChangedEventArgs(bool isLeader, LeadershipTerm term) : EventArgs
{
    /// <summary>Whether the participant leads now.</summary>
    public bool IsLeader { get; } = isLeader;

    /// <summary>The term that started (<see cref="IsLeader"/> true) or ended (false).</summary>
    public LeadershipTerm Term { get; } = term;
}
