namespace Recipes.Leader;

/// <summary>
/// Asks about elections by path: whether this instance leads one it takes part in through a leader-elected hosted
/// service, and who takes part or leads (read from ZooKeeper, for any election path). Injectable once
/// <c>AddLeaderElectedService</c> (or <c>AddLeadership</c>) was called.
/// </summary>
public interface ILeadership
{
    /// <summary>Whether a leader-elected service of this instance currently leads the election at <paramref name="path"/>.</summary>
    /// <param name="path">The election's path.</param>
    bool IsLeader(string path);

    /// <summary>The current term of this instance in the election at <paramref name="path"/>; null when not leading.</summary>
    /// <param name="path">The election's path.</param>
    LeadershipTerm? GetCurrentTerm(string path);

    /// <summary>The leader of the election at <paramref name="path"/> (any instance), or null when nobody takes part.</summary>
    /// <param name="path">The election's path.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<Participant?> GetLeaderAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Every participant of the election at <paramref name="path"/>, leader first (latch and selector nodes alike).</summary>
    /// <param name="path">The election's path.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<Participant>> GetParticipantsAsync(string path, CancellationToken cancellationToken = default);
}
