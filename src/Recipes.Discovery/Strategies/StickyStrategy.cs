namespace Recipes.Discovery;

/// <summary>
/// Keeps returning the same instance while it is among the candidates (same id, address and ports); otherwise asks
/// <c>master</c> for a new one, as Curator's <c>StickyStrategy</c>.
/// </summary>
/// <param name="master">Picks the instance when the current one is gone. Default: round-robin.</param>
public sealed class StickyStrategy(IInstanceSelectionStrategy? master = null) : IInstanceSelectionStrategy
{
    private readonly IInstanceSelectionStrategy _master = master ?? new RoundRobinStrategy();
    private readonly Lock _lock = new();
    private ServiceInstance? _current;
    private int _switches;

    /// <summary>How many times a new instance was picked (Curator's <c>getInstanceNumber()</c>).</summary>
    public int InstanceNumber => Volatile.Read(ref _switches);

    /// <inheritdoc />
    public ServiceInstance? Select(IReadOnlyList<ServiceInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        lock (_lock)
        {
            if (_current is { } current && instances.FirstOrDefault(i => SameEndpoint(i, current)) is { } still)
            {
                _current = still;
                return still;
            }

            _current = _master.Select(instances);
            if (_current is not null)
            {
                _switches++;
            }

            return _current;
        }
    }

    internal static bool SameEndpoint(ServiceInstance a, ServiceInstance b) =>
        a.Id == b.Id && a.Address == b.Address && a.Port == b.Port && a.SslPort == b.SslPort;
}
