namespace Recipes.Leader;

/// <summary>Settings of a <see cref="LeaderLatch"/>, a <see cref="LeaderSelector"/> or a leader-elected hosted service.</summary>
public sealed class LeaderElectionOptions
{
    /// <summary>
    /// The participant id, written as UTF-8 into the participant node (what <c>GetParticipantsAsync</c> and Curator's
    /// <c>getParticipants()</c> report). Default: <c>&lt;machine name&gt;-&lt;process id&gt;-&lt;8 random hex digits&gt;</c>.
    /// </summary>
    public string ParticipantId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How long to wait before trying again after an unexpected error (e.g. ZooKeeper unreachable). Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (ParticipantId is null)
        {
            throw new ArgumentException("LeaderElectionOptions.ParticipantId must not be null (use \"\" for none).", nameof(ParticipantId));
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException($"LeaderElectionOptions.RetryDelay must be positive; it is {RetryDelay}.", nameof(RetryDelay));
        }
    }
}
