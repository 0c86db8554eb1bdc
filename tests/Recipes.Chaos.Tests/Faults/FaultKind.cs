namespace Recipes.Chaos.Tests.Faults;

/// <summary>The faults a chaos schedule injects.</summary>
internal enum FaultKind
{
    /// <summary>One actor's network is partitioned (its proxies blackholed) for a while, sometimes past its session timeout.</summary>
    Blackhole,

    /// <summary>One actor's connections are reset (TCP RST); it reconnects at once.</summary>
    Reset,

    /// <summary>One actor's link becomes slow: bytes trickle through in tiny chunks with pauses.</summary>
    Trickle,

    /// <summary>One actor stops (a GC pause) past its session timeout: frozen clock, silent network.</summary>
    Pause,

    /// <summary>The server expires one actor's session (closed behind the actor's back).</summary>
    SessionKill,

    /// <summary>The standalone server restarts (same port and data).</summary>
    ServerRestart,

    /// <summary>One node of the ensemble is killed (SIGKILL) and started again later.</summary>
    NodeKill,
}
