namespace Recipes.Chaos.Tests.History;

/// <summary>What a <see cref="HistoryEvent"/> records.</summary>
internal enum HistoryEventKind
{
    /// <summary>An actor began to believe it owns a resource (a lock, leadership), with its fencing token.</summary>
    Acquired,

    /// <summary>The actor stopped believing because it let go (before it released the lock or resigned).</summary>
    Released,

    /// <summary>The actor stopped believing because its LostToken fired.</summary>
    Lost,

    /// <summary>A fault began (proxy blackhole, reset, trickle, server restart, node kill).</summary>
    FaultStarted,

    /// <summary>A fault ended (the network healed, the server or node serves again).</summary>
    FaultEnded,

    /// <summary>
    /// The server ended the actor's session behind its back (a session kill, or the start of a process pause): the
    /// actor cannot learn in time, so only fencing tokens protect downstream state until it does.
    /// </summary>
    UnseenSessionLoss,

    /// <summary>A downstream write with a fencing token was accepted.</summary>
    WriteAccepted,

    /// <summary>A downstream write was rejected because a higher fencing token had been seen.</summary>
    WriteRejected,
}
