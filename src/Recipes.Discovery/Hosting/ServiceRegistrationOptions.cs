using Recipes.Discovery.Internal;

namespace Recipes.Discovery;

/// <summary>
/// What <c>AddZooKeeperServiceRegistration</c> registers for this application while the host runs. Unset address and
/// ports come from the server's bound URLs (ASP.NET Core's <c>IServerAddressesFeature</c>) once it has started.
/// </summary>
public sealed class ServiceRegistrationOptions
{
    /// <summary>The service's name (one znode name). Required.</summary>
    public string ServiceName { get; set; } = "";

    /// <summary>The instance id. Default: a new random UUID per process, as Curator's builder.</summary>
    public string InstanceId { get; set; } = Guid.NewGuid().ToString();

    /// <summary>
    /// The address clients use. Default: the host of the first bound URL when it names one; when it is a wildcard
    /// (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) or there is none, the first non-loopback IPv4 address of this
    /// machine (as Curator's default), else <c>127.0.0.1</c>.
    /// </summary>
    public string? Address { get; set; }

    /// <summary>The plain port. Default: the port of the first bound <c>http</c> URL.</summary>
    public int? Port { get; set; }

    /// <summary>The TLS port. Default: the port of the first bound <c>https</c> URL.</summary>
    public int? SslPort { get; set; }

    /// <summary>Metadata written as the instance's map payload.</summary>
    public IDictionary<string, string> Payload { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How the instance is stored. Default <see cref="ServiceType.Dynamic"/>.</summary>
    public ServiceType ServiceType { get; set; } = ServiceType.Dynamic;

    /// <summary>A URI template, e.g. <c>{scheme}://{address}:{port}</c>; null for none.</summary>
    public string? UriSpec { get; set; }

    /// <summary>How long to wait before trying again when registering at start failed. Default 5 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        NodeNames.Validate(ServiceName, "ServiceRegistrationOptions.ServiceName", nameof(ServiceName));
        NodeNames.Validate(InstanceId, "ServiceRegistrationOptions.InstanceId", nameof(InstanceId));
        if (Port is < 1 or > 65535 || SslPort is < 1 or > 65535)
        {
            throw new ArgumentException($"ServiceRegistrationOptions ports must be within 1..65535 (Port {Port}, SslPort {SslPort}).", nameof(Port));
        }

        if (!Enum.IsDefined(ServiceType))
        {
            throw new ArgumentException($"ServiceRegistrationOptions.ServiceType {ServiceType} is not defined.", nameof(ServiceType));
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ServiceRegistrationOptions.RetryDelay must be positive; it is {RetryDelay}.", nameof(RetryDelay));
        }
    }
}
