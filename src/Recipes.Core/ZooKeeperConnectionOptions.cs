using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>Settings of a <see cref="ZooKeeperConnection"/>. Bind them from configuration or set them in code.</summary>
public sealed class ZooKeeperConnectionOptions
{
    /// <summary>The servers: <c>host:port[,host:port...]</c>, optionally with a chroot. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// A base path every path is relative to (e.g. <c>/myapp</c>); created on start if missing. Default: none.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>The requested session timeout. Default 30 s (the server clamps it to its min/max).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt to connect to one host may take. Default: the client's (session timeout / hosts).</summary>
    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>
    /// How long an operation issued while disconnected waits for the connection before failing with
    /// <see cref="ConnectionLossException"/>; also the bound of <see cref="IZooKeeperConnection.StartAsync"/>. Default 15 s.
    /// </summary>
    public TimeSpan ConnectionWaitTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries of transient failures. Default <see cref="RetryPolicy.Default"/>.</summary>
    public RetryPolicy RetryPolicy { get; set; } = RetryPolicy.Default;

    /// <summary>When a suspended connection ends ownership. Default <see cref="OwnershipLossPolicy.Default"/> (half the session timeout).</summary>
    public OwnershipLossPolicy OwnershipLossPolicy { get; set; } = OwnershipLossPolicy.Default;

    /// <summary>Authentication sent on every connection (e.g. <see cref="ZooKeeperAuthInfo.Digest"/>). Credentials are never logged.</summary>
    public IList<ZooKeeperAuthInfo> AuthInfo { get; } = new List<ZooKeeperAuthInfo>();

    /// <summary>
    /// The ACL of nodes the recipes create (and their parents). Default <see cref="Acl.OpenUnsafe"/>; use
    /// <see cref="Acl.CreatorAllWorldRead"/> with digest auth for creator-only write.
    /// </summary>
    public IReadOnlyList<Acl> DefaultAcl { get; set; } = Acl.OpenUnsafe;

    /// <summary>TLS for the connection; null for plain TCP.</summary>
    public ZooKeeperTlsOptions? Tls { get; set; }

    /// <summary>Whether a read-only server may be used. Default false.</summary>
    public bool CanBeReadOnly { get; set; }

    /// <summary>The clock for timers (ownership grace, client-side expiry, retries). Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the connection, its client and the recipes log. Default: nowhere (DI sets the app's).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the wire client of each session. Default <see cref="ZooKeeperClient.Create"/>; tests replace it.</summary>
    public Func<ZooKeeperClientOptions, IZooKeeperClient>? ClientFactory { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("ZooKeeperConnectionOptions.ConnectionString is required (host:port[,host:port...]).", nameof(ConnectionString));
        }

        if (Namespace is { Length: > 0 } ns && ns != "/")
        {
            var problem = !PathUtils.IsValid(ns) ? "it must be a valid ZooKeeper path such as /myapp" : null;
            if (problem is not null)
            {
                throw new ArgumentException($"ZooKeeperConnectionOptions.Namespace '{ns}' is invalid: {problem}.", nameof(Namespace));
            }

            if (ConnectionString.Contains('/', StringComparison.Ordinal))
            {
                throw new ArgumentException("Set either a chroot in ZooKeeperConnectionOptions.ConnectionString or ZooKeeperConnectionOptions.Namespace, not both.", nameof(Namespace));
            }
        }

        if (ConnectionWaitTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ZooKeeperConnectionOptions.ConnectionWaitTimeout must be positive; it is {ConnectionWaitTimeout}.", nameof(ConnectionWaitTimeout));
        }

        if (RetryPolicy is null)
        {
            throw new ArgumentException("ZooKeeperConnectionOptions.RetryPolicy is required (use RetryPolicy.None for no retries).", nameof(RetryPolicy));
        }

        if (OwnershipLossPolicy is null)
        {
            throw new ArgumentException("ZooKeeperConnectionOptions.OwnershipLossPolicy is required.", nameof(OwnershipLossPolicy));
        }

        OwnershipLossPolicy.Validate();
        if (DefaultAcl is null || DefaultAcl.Count == 0)
        {
            throw new ArgumentException("ZooKeeperConnectionOptions.DefaultAcl must have at least one entry.", nameof(DefaultAcl));
        }

        ToClientOptions().Validate();
    }

    /// <summary>The wire-client options for one session (the namespace becomes the chroot).</summary>
    public ZooKeeperClientOptions ToClientOptions()
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = Namespace is { Length: > 1 } ns ? ConnectionString.TrimEnd() + ns : ConnectionString,
            SessionTimeout = SessionTimeout,
            ConnectTimeout = ConnectTimeout,
            CanBeReadOnly = CanBeReadOnly,
            Tls = Tls,
            LoggerFactory = LoggerFactory,
            TimeProvider = TimeProvider,
        };
        foreach (var auth in AuthInfo)
        {
            options.AuthInfo.Add(auth);
        }

        return options;
    }
}
