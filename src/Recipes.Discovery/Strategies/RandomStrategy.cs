namespace Recipes.Discovery;

/// <summary>A uniformly random candidate per call, as Curator's <c>RandomStrategy</c>.</summary>
public sealed class RandomStrategy : IInstanceSelectionStrategy
{
    /// <inheritdoc />
    public ServiceInstance? Select(IReadOnlyList<ServiceInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return instances.Count == 0 ? null : instances[Random.Shared.Next(instances.Count)];
    }
}
