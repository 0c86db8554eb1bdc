namespace Recipes.Discovery;

/// <summary>Picks one instance from the live, enabled, up instances of a service (Curator's <c>ProviderStrategy</c>).</summary>
public interface IInstanceSelectionStrategy
{
    /// <summary>Picks an instance.</summary>
    /// <param name="instances">The candidates, in node-name order; may be empty.</param>
    /// <returns>The instance, or null when there is none.</returns>
    ServiceInstance? Select(IReadOnlyList<ServiceInstance> instances);
}
