namespace Recipes.Discovery;

/// <summary>What happened to an instance in a <see cref="ServiceCache"/>.</summary>
public enum ServiceCacheChangeKind
{
    /// <summary>An instance appeared (also raised for the instances of the initial load).</summary>
    Added = 0,

    /// <summary>An instance's data changed.</summary>
    Updated = 1,

    /// <summary>An instance disappeared (or its node no longer holds a readable instance).</summary>
    Removed = 2,
}
