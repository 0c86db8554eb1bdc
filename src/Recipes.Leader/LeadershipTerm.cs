namespace Recipes.Leader;

/// <summary>
/// One term of leadership: from the moment a participant's node was confirmed first in line (and owned by a trusted
/// session) until leadership ends. Hand <see cref="Term"/> to anything the leader writes, as a fencing token.
/// </summary>
public sealed class LeadershipTerm
{
    internal LeadershipTerm(string electionPath, string nodePath, string participantId, long term, long sessionId, CancellationToken lostToken)
    {
        ElectionPath = electionPath;
        NodePath = nodePath;
        ParticipantId = participantId;
        Term = term;
        SessionId = sessionId;
        LostToken = lostToken;
    }

    /// <summary>The election's path (relative to the connection's namespace).</summary>
    public string ElectionPath { get; }

    /// <summary>The path of the participant node that grants this term.</summary>
    public string NodePath { get; }

    /// <summary>The participant id (the node's data).</summary>
    public string ParticipantId { get; }

    /// <summary>
    /// The fencing number: the <c>czxid</c> of the node that grants this term. A later leader's node was created later,
    /// so its number is strictly higher. A term re-granted on the same node (after the session's ownership was given up
    /// and the same session came back still owning the node) keeps the number: nobody else led in between.
    /// </summary>
    public long Term { get; }

    /// <summary>The id of the ZooKeeper session that owns the node.</summary>
    public long SessionId { get; }

    /// <summary>
    /// Fires when this term ends: the session's ownership was given up (suspended past the grace, or lost), the node was
    /// deleted, the participant resigned or stopped. It fires before any other participant can become leader through a
    /// session expiry.
    /// </summary>
    public CancellationToken LostToken { get; }

    /// <summary>Whether the term has ended.</summary>
    public bool IsLost => LostToken.IsCancellationRequested;

    /// <inheritdoc />
    public override string ToString() => $"term {Term} of '{ParticipantId}' at {NodePath}{(IsLost ? " (ended)" : "")}";
}
