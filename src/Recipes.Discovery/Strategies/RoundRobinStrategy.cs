namespace Recipes.Discovery;

/// <summary>Each call takes the next candidate: <c>instances[counter++ % count]</c>, as Curator's <c>RoundRobinStrategy</c>.</summary>
public sealed class RoundRobinStrategy : IInstanceSelectionStrategy
{
    private long _next = -1;

    /// <inheritdoc />
    public ServiceInstance? Select(IReadOnlyList<ServiceInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        if (instances.Count == 0)
        {
            return null;
        }

        var index = (ulong)Interlocked.Increment(ref _next) % (ulong)instances.Count;
        return instances[(int)index];
    }
}
