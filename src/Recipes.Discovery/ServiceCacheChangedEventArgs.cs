namespace Recipes.Discovery;

/// <summary>A change to one instance of a <see cref="ServiceCache"/>.</summary>
public sealed class ServiceCacheChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="nodeName">The instance's znode name.</param>
    /// <param name="instance">The instance after the change, or as last known for <see cref="ServiceCacheChangeKind.Removed"/>.</param>
    public ServiceCacheChangedEventArgs(ServiceCacheChangeKind kind, string nodeName, ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentNullException.ThrowIfNull(instance);
        Kind = kind;
        NodeName = nodeName;
        Instance = instance;
    }

    /// <summary>What happened.</summary>
    public ServiceCacheChangeKind Kind { get; }

    /// <summary>The instance's znode name (the id, plus the sequence for sequential instances).</summary>
    public string NodeName { get; }

    /// <summary>The instance after the change; for <see cref="ServiceCacheChangeKind.Removed"/>, as last known.</summary>
    public ServiceInstance Instance { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {NodeName}: {Instance}";
}
