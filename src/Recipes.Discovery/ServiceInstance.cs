namespace Recipes.Discovery;

/// <summary>
/// One registered instance of a service: Curator's <c>ServiceInstance</c>, stored as JSON in the znode
/// <c>&lt;base path&gt;/&lt;name&gt;/&lt;id&gt;</c> (see <see cref="ServiceInstanceSerializer"/> for the exact format).
/// </summary>
public sealed class ServiceInstance
{
    /// <summary>The service's name (one znode name: no '/').</summary>
    public required string Name { get; init; }

    /// <summary>The instance's id (one znode name). Default: a new random UUID, as Curator's builder.</summary>
    public string Id { get; init; } = Guid.NewGuid().ToString();

    /// <summary>The host name or IP address clients connect to; null when not given.</summary>
    public string? Address { get; init; }

    /// <summary>The plain port; null when none.</summary>
    public int? Port { get; init; }

    /// <summary>The TLS port; null when none.</summary>
    public int? SslPort { get; init; }

    /// <summary>
    /// Free-form metadata, written as a JSON object that Curator reads as a <c>java.util.HashMap</c> (its Jackson type id
    /// <c>"@class":"java.util.HashMap"</c> is added), so a Java <c>ServiceDiscovery&lt;Map&gt;</c> accepts it. Null for no
    /// payload (<c>"payload":null</c>). On read, non-string values are kept as their JSON text.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Payload { get; init; }

    /// <summary>
    /// The payload exactly as read (JSON text), for payloads that are not a map of strings (e.g. a Java POJO with its
    /// <c>@class</c>); null when there was none or the instance was built in code. Written back verbatim only when
    /// <see cref="Payload"/> is null.
    /// </summary>
    public string? RawPayload { get; init; }

    /// <summary>When the instance was registered (millisecond precision on the wire). Default: now.</summary>
    public DateTimeOffset RegistrationTimeUtc { get; init; } = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>How the instance is stored. Default <see cref="ServiceType.Dynamic"/>.</summary>
    public ServiceType ServiceType { get; init; } = ServiceType.Dynamic;

    /// <summary>A URI template for the instance; null when none.</summary>
    public UriSpec? UriSpec { get; init; }

    /// <summary>
    /// Whether clients should use the instance (Curator's <c>enabled</c>, default true). Providers skip disabled
    /// instances. Written to the JSON only when false, since Curator's default (compatible) serializer omits it.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The expanded <see cref="UriSpec"/>, or null when there is none.</summary>
    public string? BuildUri() => UriSpec?.Build(this);

    /// <inheritdoc />
    public override string ToString() => $"{Name}/{Id} ({Address}:{Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, {ServiceType})";
}
