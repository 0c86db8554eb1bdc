namespace Recipes.Testing;

/// <summary>
/// A simulated stop-the-world pause of one ZooKeeper client "process" (a long GC pause): its clock is frozen (no
/// timer, ping or timeout of its own fires) and its proxies are blackholed (it hears nothing and nobody hears it),
/// while the server and the other clients go on and its session expires. Disposing (or <see cref="EndAsync"/>) ends
/// the pause: the network comes back first, then the clock jumps forward, as after a real pause.
/// </summary>
/// <remarks>
/// <para>
/// The paused client cannot learn that its session has expired until it runs again, so it still believes in whatever
/// it owned: only a fencing token checked by the downstream resource protects against its late writes. The client
/// must be created with the same <see cref="PausableTimeProvider"/> and connect only through the given proxies.
/// </para>
/// <para>Each proxy's own mode is restored when the pause ends, so a pause can be laid over another fault. A proxy that
/// dropped bytes during the pause has its connections reset as it ends (a TCP stream never resumes with bytes missing),
/// so the process reconnects and learns what happened meanwhile.</para>
/// </remarks>
public sealed class ProcessPause : IAsyncDisposable
{
    private readonly PausableTimeProvider _clock;
    private readonly (FaultProxy Proxy, FaultMode Mode, long Dropped)[] _proxies;
    private readonly long _startedAt;
    private int _ended;

    private ProcessPause(PausableTimeProvider clock, (FaultProxy, FaultMode, long)[] proxies)
    {
        _clock = clock;
        _proxies = proxies;
        _startedAt = TimeProvider.System.GetTimestamp();
    }

    /// <summary>How long the pause has lasted (or lasted), on the real clock.</summary>
    public TimeSpan Elapsed => TimeProvider.System.GetElapsedTime(_startedAt);

    /// <summary>Whether the pause is over.</summary>
    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Pauses the process: freezes <paramref name="clock"/> and blackholes every proxy.</summary>
    /// <param name="clock">The paused process's clock.</param>
    /// <param name="proxies">Every proxy the process talks through.</param>
    public static ProcessPause Begin(PausableTimeProvider clock, params IEnumerable<FaultProxy> proxies)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(proxies);
        var saved = proxies.Select(p => (p, p.Mode, p.BytesDropped)).ToArray();
        if (saved.Length == 0)
        {
            throw new ArgumentException("A paused process needs at least one proxy to silence.", nameof(proxies));
        }

        // The network first, so nothing reaches the process after its clock stops.
        foreach (var (proxy, _, _) in saved)
        {
            proxy.Mode = FaultMode.Blackhole;
        }

        clock.Pause();
        return new ProcessPause(clock, saved);
    }

    /// <summary>Ends the pause: resets connections that lost bytes, restores each proxy's mode, then resumes the clock. Idempotent.</summary>
    public ValueTask EndAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            foreach (var (proxy, mode, dropped) in _proxies)
            {
                // The blackhole dropped what arrived meanwhile; a real paused process would read it late from its
                // socket. A stream with bytes missing is not something TCP produces, so such connections are reset.
                if (proxy.BytesDropped != dropped)
                {
                    proxy.Reset();
                }

                proxy.Mode = mode;
            }

            _clock.Resume();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the pause (as <see cref="EndAsync"/>).</summary>
    public ValueTask DisposeAsync() => EndAsync();
}
