using Recipes.ZooKeeper;

namespace Recipes.Discovery;

/// <summary>Settings of a <see cref="ServiceDiscovery"/>.</summary>
public sealed class ServiceDiscoveryOptions
{
    /// <summary>
    /// The znode under which services live, <c>&lt;BasePath&gt;/&lt;service&gt;/&lt;instance id&gt;</c>, relative to the
    /// connection's namespace. Default <c>/services</c>. Use the base path your Curator services use to see each other.
    /// </summary>
    public string BasePath { get; set; } = "/services";

    /// <summary>How long a register waits for the instance's node before it fails. Default 15 s.</summary>
    public TimeSpan RegistrationTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The settings of the providers <see cref="ServiceDiscovery.GetProviderAsync"/> shares (and the HttpClient handler uses).</summary>
    public ServiceInstanceProviderOptions Provider { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (!PathUtils.IsValid(BasePath))
        {
            throw new ArgumentException($"ServiceDiscoveryOptions.BasePath '{BasePath}' is not a valid znode path (absolute, no trailing '/').", nameof(BasePath));
        }

        if (RegistrationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ServiceDiscoveryOptions.RegistrationTimeout must be positive; it is {RegistrationTimeout}.", nameof(RegistrationTimeout));
        }

        if (Provider is null)
        {
            throw new ArgumentException("ServiceDiscoveryOptions.Provider must not be null.", nameof(Provider));
        }

        Provider.Validate();
    }

    internal ServiceDiscoveryOptions Clone() =>
        new() { BasePath = BasePath, RegistrationTimeout = RegistrationTimeout, Provider = Provider.Clone() };
}
