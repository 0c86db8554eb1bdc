using Microsoft.Extensions.Logging;

namespace Recipes.Testing;

/// <summary>
/// Settings of a <see cref="ZooKeeperTestServer"/> (and of every node of a <see cref="ZooKeeperTestEnsemble"/>).
/// Defaults are chosen for fast tests and are documented on each property. The options are copied when a server
/// starts; changing them afterwards has no effect on it.
/// </summary>
/// <remarks>
/// Always applied, whatever the options: every four-letter word is enabled (<c>4lw.commands.whitelist=*</c>),
/// the AdminServer is disabled (<c>admin.enableServer=false</c>) and the client port listens on 127.0.0.1 only.
/// </remarks>
public sealed class ZooKeeperTestServerOptions
{
    /// <summary>
    /// ZooKeeper's <c>tickTime</c>. Default 500 ms, so by default the server grants session timeouts between 1 s
    /// (2 ticks) and 10 s (20 ticks).
    /// </summary>
    public TimeSpan TickTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The smallest session timeout the server grants (<c>minSessionTimeout</c>). Default null: 2 × <see cref="TickTime"/>.</summary>
    public TimeSpan? MinSessionTimeout { get; set; }

    /// <summary>The largest session timeout the server grants (<c>maxSessionTimeout</c>). Default null: 20 × <see cref="TickTime"/>.</summary>
    public TimeSpan? MaxSessionTimeout { get; set; }

    /// <summary>
    /// The client port of a standalone server, or of node 1 of an ensemble (node <c>i</c> then listens on
    /// <c>ClientPort + i - 1</c>). Default null: a free port is picked at run time, which is what tests should use;
    /// a fixed port is for running a development server (<c>recipes server start --port 2181</c>). With a fixed port
    /// a start that cannot bind fails instead of retrying on other ports.
    /// </summary>
    public int? ClientPort { get; set; }

    /// <summary>Whether TTL nodes are allowed (<c>extendedTypesEnabled</c>). Default true.</summary>
    public bool ExtendedTypesEnabled { get; set; } = true;

    /// <summary>Connections allowed per client IP address (<c>maxClientCnxns</c>); 0 means unlimited. Default 0.</summary>
    public int MaxClientConnections { get; set; }

    /// <summary>
    /// Whether to also open a TLS port (<c>secureClientPort</c>) served with a certificate for <c>CN=localhost</c>
    /// (SAN <c>DNS:localhost</c>, <c>IP:127.0.0.1</c>) issued by a freshly generated self-signed test CA
    /// (<see cref="ZooKeeperTestServer.TlsCertificateAuthority"/>); clients are not asked for a certificate.
    /// The plaintext port stays open. Default false. Not supported by <see cref="ZooKeeperTestEnsemble"/>.
    /// </summary>
    public bool EnableTls { get; set; }

    /// <summary>
    /// A <c>user:password</c> pair that is given the <c>super</c> identity, which bypasses every ACL, when a client
    /// authenticates with the <c>digest</c> scheme and these credentials. Default null (no super user).
    /// </summary>
    public string? SuperDigest { get; set; }

    /// <summary>How often the server deletes empty container nodes (<c>znode.container.checkIntervalMs</c>). Default 500 ms.</summary>
    public TimeSpan ContainerCheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether the transaction log is fsynced before a write is acknowledged (<c>forceSync</c>). Default false, for speed.</summary>
    public bool ForceSync { get; set; }

    /// <summary>The JVM's maximum heap in MiB (<c>-Xmx</c>). Default 256.</summary>
    public int MaxHeapMegabytes { get; set; } = 256;

    /// <summary>How long a start may take until the server answers (and, for an ensemble, a quorum forms). Default 30 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the server keeps its configuration, data and log (<c>server.log</c>). Default null: a new directory
    /// <c>recipes-zk-*</c> under <see cref="Path.GetTempPath"/>, deleted on dispose. A directory given here is kept.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>Extra <c>zoo.cfg</c> lines (key, value). They are written last, so they override the settings above.</summary>
    public IDictionary<string, string> ExtraConfig { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Extra Java system properties (<c>-Dkey=value</c>), for settings that <c>zoo.cfg</c> cannot carry, such as
    /// <c>jute.maxbuffer</c>.
    /// </summary>
    public IDictionary<string, string> SystemProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where the test kit logs what it does (process starts and stops). Default null: no logging.</summary>
    public ILogger? Logger { get; set; }

    internal ZooKeeperTestServerOptions Clone()
    {
        var copy = new ZooKeeperTestServerOptions
        {
            TickTime = TickTime,
            ClientPort = ClientPort,
            MinSessionTimeout = MinSessionTimeout,
            MaxSessionTimeout = MaxSessionTimeout,
            ExtendedTypesEnabled = ExtendedTypesEnabled,
            MaxClientConnections = MaxClientConnections,
            EnableTls = EnableTls,
            SuperDigest = SuperDigest,
            ContainerCheckInterval = ContainerCheckInterval,
            ForceSync = ForceSync,
            MaxHeapMegabytes = MaxHeapMegabytes,
            StartTimeout = StartTimeout,
            DataDirectory = DataDirectory,
            Logger = Logger,
        };
        foreach (var pair in ExtraConfig)
        {
            copy.ExtraConfig[pair.Key] = pair.Value;
        }

        foreach (var pair in SystemProperties)
        {
            copy.SystemProperties[pair.Key] = pair.Value;
        }

        return copy;
    }

    internal void Validate()
    {
        if (TickTime < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException("TickTime must be at least 1 ms.", nameof(TickTime));
        }

        if (ClientPort is < 1 or > 65535)
        {
            throw new ArgumentException($"ClientPort must be between 1 and 65535; it is {ClientPort}.", nameof(ClientPort));
        }

        if (MinSessionTimeout is { } min && min < TimeSpan.Zero)
        {
            throw new ArgumentException("MinSessionTimeout must not be negative.", nameof(MinSessionTimeout));
        }

        if (MaxSessionTimeout is { } max && MinSessionTimeout is { } min2 && max < min2)
        {
            throw new ArgumentException("MaxSessionTimeout must not be below MinSessionTimeout.", nameof(MaxSessionTimeout));
        }

        if (MaxClientConnections < 0)
        {
            throw new ArgumentException("MaxClientConnections must not be negative (0 means unlimited).", nameof(MaxClientConnections));
        }

        if (ContainerCheckInterval < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentException("ContainerCheckInterval must be at least 1 ms.", nameof(ContainerCheckInterval));
        }

        if (MaxHeapMegabytes < 32)
        {
            throw new ArgumentException("MaxHeapMegabytes must be at least 32.", nameof(MaxHeapMegabytes));
        }

        if (StartTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("StartTimeout must be positive.", nameof(StartTimeout));
        }

        if (SuperDigest is { } digest && digest.IndexOf(':', StringComparison.Ordinal) <= 0)
        {
            throw new ArgumentException("SuperDigest must be \"user:password\".", nameof(SuperDigest));
        }

        foreach (var key in ExtraConfig.Keys.Concat(SystemProperties.Keys))
        {
            if (string.IsNullOrWhiteSpace(key) || key.AsSpan().IndexOfAny("=:\r\n") >= 0)
            {
                throw new ArgumentException($"Invalid configuration key '{key}'.", nameof(ExtraConfig));
            }
        }

        foreach (var value in ExtraConfig.Values)
        {
            if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException("Configuration values must be single lines.", nameof(ExtraConfig));
            }
        }
    }
}
