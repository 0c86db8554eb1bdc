using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Recipes.ZooKeeper;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>. Defaults are documented on each property.</summary>
public sealed class ZooKeeperClientOptions
{
    /// <summary>The largest frame ZooKeeper accepts from a client by default (<c>jute.maxbuffer</c>, 1,048,575 bytes).</summary>
    public const int ServerDefaultMaxFrameSize = 0xfffff;

    /// <summary>
    /// The servers and optional chroot: <c>host:port[,host:port...][/chroot]</c>. IPv6 literals are written
    /// <c>[::1]:2181</c>; the default port is 2181. Required.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The requested session timeout; the server clamps it to its min/max (by default 2 and 20 ticks). Default 30 s.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one attempt to connect to one host may take (TCP, TLS and handshake). Default: the session timeout
    /// divided by the number of hosts (the Java client's rule), but at most a third of it and at least 1 s.
    /// </summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>Whether connecting to a read-only server is allowed. Default false.</summary>
    public bool CanBeReadOnly { get; set; }

    /// <summary>Whether to shuffle the hosts once before connecting (spreads clients over an ensemble). Default true.</summary>
    public bool ShuffleHosts { get; set; } = true;

    /// <summary>The largest frame accepted from the server, in bytes. Default 4 MiB (a 1 MB node's getData reply is 1,048,608 bytes).</summary>
    public int MaxIncomingFrameSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The largest request frame sent to the server, in bytes; larger requests fail before anything is sent.
    /// Default 1,048,575, the server's default <c>jute.maxbuffer</c> (one byte more and the server drops the connection).
    /// </summary>
    public int MaxOutgoingFrameSize { get; set; } = ServerDefaultMaxFrameSize;

    /// <summary>To re-attach to an existing session: its id (0, the default, creates a new session).</summary>
    public long SessionId { get; set; }

    /// <summary>To re-attach to an existing session: its 16-byte password.</summary>
    public byte[]? SessionPassword { get; set; }

    /// <summary>Authentication added on every connection before any request (scheme and credentials), e.g. digest <c>user:password</c>.</summary>
    public IList<ZooKeeperAuthInfo> AuthInfo { get; } = new List<ZooKeeperAuthInfo>();

    /// <summary>TLS settings; null (the default) means plain TCP.</summary>
    public ZooKeeperTlsOptions? Tls { get; set; }

    /// <summary>Where the client logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock used for timeouts and pings. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options and throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("ZooKeeperClientOptions.ConnectionString is required (host:port[,host:port...][/chroot]).", nameof(ConnectionString));
        }

        _ = Internal.ConnectionString.Parse(ConnectionString);
        if (SessionTimeout <= TimeSpan.Zero || SessionTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException($"ZooKeeperClientOptions.SessionTimeout must be positive and fit in an int of milliseconds; it is {SessionTimeout}.", nameof(SessionTimeout));
        }

        if (ConnectTimeout is { } ct && ct <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ZooKeeperClientOptions.ConnectTimeout must be positive; it is {ct}.", nameof(ConnectTimeout));
        }

        if (MaxIncomingFrameSize < 1024)
        {
            throw new ArgumentException($"ZooKeeperClientOptions.MaxIncomingFrameSize must be at least 1024; it is {MaxIncomingFrameSize}.", nameof(MaxIncomingFrameSize));
        }

        if (MaxOutgoingFrameSize < 1024)
        {
            throw new ArgumentException($"ZooKeeperClientOptions.MaxOutgoingFrameSize must be at least 1024; it is {MaxOutgoingFrameSize}.", nameof(MaxOutgoingFrameSize));
        }

        if (SessionId != 0 && SessionPassword is not { Length: 16 })
        {
            throw new ArgumentException("ZooKeeperClientOptions.SessionPassword must be the 16-byte session password when SessionId is set.", nameof(SessionPassword));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }

    /// <summary>A copy of these options (the auth list is copied too).</summary>
    public ZooKeeperClientOptions Clone()
    {
        var copy = new ZooKeeperClientOptions
        {
            ConnectionString = ConnectionString,
            SessionTimeout = SessionTimeout,
            ConnectTimeout = ConnectTimeout,
            CanBeReadOnly = CanBeReadOnly,
            ShuffleHosts = ShuffleHosts,
            MaxIncomingFrameSize = MaxIncomingFrameSize,
            MaxOutgoingFrameSize = MaxOutgoingFrameSize,
            SessionId = SessionId,
            SessionPassword = SessionPassword,
            Tls = Tls,
            LoggerFactory = LoggerFactory,
            TimeProvider = TimeProvider,
        };
        foreach (var auth in AuthInfo)
        {
            copy.AuthInfo.Add(auth);
        }

        return copy;
    }
}

/// <summary>An authentication to add to the connection (ZooKeeper's <c>addAuthInfo</c>).</summary>
/// <param name="Scheme">The scheme, e.g. <c>digest</c>.</param>
/// <param name="Auth">The credentials, e.g. UTF-8 <c>user:password</c> for digest. Never logged.</param>
public sealed record ZooKeeperAuthInfo(string Scheme, byte[] Auth)
{
    /// <summary>Digest authentication with a user and a password.</summary>
    public static ZooKeeperAuthInfo Digest(string user, string password) =>
        new("digest", System.Text.Encoding.UTF8.GetBytes(user + ":" + password));

    /// <inheritdoc />
    public override string ToString() => Scheme + ":<secret>";
}

/// <summary>TLS settings for connecting to a ZooKeeper secure client port.</summary>
public sealed class ZooKeeperTlsOptions
{
    /// <summary>The host name the server certificate must match. Default: the host of the connection string entry.</summary>
    public string? TargetHost { get; set; }

    /// <summary>
    /// Extra trusted root certificates (for example a private CA). When set, a server chain that ends in one of
    /// them is accepted even if the machine's store does not trust it.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; set; }

    /// <summary>Client certificates for mutual TLS.</summary>
    public X509CertificateCollection? ClientCertificates { get; set; }

    /// <summary>
    /// A custom server certificate check; replaces the default validation (which is on, and uses
    /// <see cref="TrustedRoots"/> when set). Return true to accept.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>The allowed protocols. Default: the system's choice (TLS 1.2 and 1.3).</summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.None;

    /// <summary>Whether to check certificate revocation. Default false (test CAs have no CRL).</summary>
    public bool CheckCertificateRevocation { get; set; }
}
