namespace Recipes.Testing;

/// <summary>How a <see cref="FaultProxy"/> (or one of its connections) treats traffic.</summary>
public enum FaultMode
{
    /// <summary>Forward everything at once, in both directions.</summary>
    Pass,

    /// <summary>Forward everything, each chunk delayed by the latency from the moment it arrived (order is kept).</summary>
    Latency,

    /// <summary>
    /// A network partition: connections stay open but nothing is forwarded in either direction, and closes and resets
    /// are not passed on either. Bytes that arrive meanwhile are dropped, not replayed later (a real partition loses
    /// packets; TCP would retransmit them, but for tests dropping is the useful behaviour). New connections are
    /// accepted and then ignored the same way.
    /// </summary>
    Blackhole,

    /// <summary>Forward at most <see cref="FaultProxy.TrickleBytes"/> bytes per <see cref="FaultProxy.TrickleInterval"/> in each direction.</summary>
    SlowTrickle,

    /// <summary>
    /// A stalled network that recovers: connections stay open and nothing is forwarded in either direction, but what
    /// arrives meanwhile is held (up to a bounded queue per direction, then the sender is slowed by TCP back-pressure)
    /// and delivered in order once the mode goes back to forwarding, with closes after it, as TCP would deliver it
    /// after a long retransmission. Use it for pauses the connection survives (a stall shorter than the session, a
    /// frozen client or server); use <see cref="Blackhole"/> for a partition whose traffic is lost.
    /// </summary>
    Stall,

    /// <summary>
    /// The server is down: new connections are accepted and reset at once. Existing connections are not touched (they
    /// forward as in <see cref="Pass"/>); call <see cref="FaultProxy.Reset"/> to drop them too.
    /// </summary>
    Refuse,
}
