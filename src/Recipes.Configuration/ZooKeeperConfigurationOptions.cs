using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recipes.Configuration.Internal;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Configuration;

/// <summary>Settings of a ZooKeeper configuration source (<c>builder.Configuration.AddZooKeeper(...)</c>).</summary>
/// <remarks>
/// The connection: configuration is built before dependency injection, so the source either uses a
/// <see cref="Connection"/> the application created (and keeps owning; register the same instance in DI to share it),
/// or creates its own from <see cref="ConnectionOptions"/> and disposes it with the configuration. Exactly one of the
/// two must be set.
/// </remarks>
public sealed class ZooKeeperConfigurationOptions
{
    /// <summary>The default of <see cref="StartupTimeout"/>.</summary>
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The root znode whose subtree is the configuration (e.g. <c>/config/myapp</c>). Required. It need not exist.</summary>
    public string Path { get; set; } = "";

    /// <summary>A connection to use (not disposed by the source). Set this or <see cref="ConnectionOptions"/>.</summary>
    public IZooKeeperConnection? Connection { get; set; }

    /// <summary>Settings of a connection the source creates, starts and disposes itself. Set this or <see cref="Connection"/>.</summary>
    public ZooKeeperConnectionOptions? ConnectionOptions { get; set; }

    /// <summary>How znodes become keys. Default <see cref="ZooKeeperConfigurationMode.Tree"/>.</summary>
    public ZooKeeperConfigurationMode Mode { get; set; } = ZooKeeperConfigurationMode.Tree;

    /// <summary>A key prefix (e.g. <c>MyApp</c> turns <c>Logging:LogLevel:Default</c> into <c>MyApp:Logging:LogLevel:Default</c>). Default none.</summary>
    public string? KeyPrefix { get; set; }

    /// <summary>Keeps only the keys for which it returns true; it sees keys as configuration shows them (prefix included). Default: all keys.</summary>
    public Func<string, bool>? KeyFilter { get; set; }

    /// <summary>
    /// How long building the configuration waits for the first load from ZooKeeper. Default 15 s. When it runs out,
    /// building fails with an <see cref="InvalidOperationException"/> naming the root and the last error, unless
    /// <see cref="StartFromSnapshot"/> is set and a snapshot exists.
    /// </summary>
    public TimeSpan StartupTimeout { get; set; } = DefaultStartupTimeout;

    /// <summary>
    /// A local file that receives the configuration after every good load (written atomically: a temporary file, then a
    /// rename). Default none (no snapshot).
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>
    /// Opt-in: when ZooKeeper cannot be loaded within <see cref="StartupTimeout"/>, start from the snapshot in
    /// <see cref="SnapshotPath"/> and catch up (reload) once ZooKeeper answers. Default false: fail instead.
    /// </summary>
    public bool StartFromSnapshot { get; set; }

    /// <summary>The most znodes cached under the root (see <see cref="TreeCacheOptions.MaxNodes"/>). Default 100,000.</summary>
    public int MaxNodes { get; set; } = TreeCacheOptions.DefaultMaxNodes;

    /// <summary>Where the source logs. Default: the connection's logger factory.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock of error timestamps. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal List<SectionValidator> Validators { get; private set; } = [];

    /// <summary>
    /// Validates <paramref name="section"/> on every update: an update that makes it invalid is rejected (its keys keep
    /// their last good values), logged, and reported (<see cref="ZooKeeperConfigurationProvider.UpdateRejected"/>, the
    /// health check). The section is bound, from this source's keys only, onto a new <typeparamref name="TOptions"/>.
    /// </summary>
    /// <param name="section">The section's key as configuration shows it (prefix included); "" for the whole source.</param>
    /// <param name="validation">True when valid.</param>
    /// <param name="failureMessage">The failure reported when <paramref name="validation"/> returns false.</param>
    public ZooKeeperConfigurationOptions Validate<TOptions>(string section, Func<TOptions, bool> validation, string failureMessage = "A validation failed.")
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(validation);
        return Validate(section, new ValidateOptions<TOptions>(Options.DefaultName, validation, failureMessage));
    }

    /// <summary>As <see cref="Validate{TOptions}(string, Func{TOptions, bool}, string)"/>, with an <see cref="IValidateOptions{TOptions}"/> (the same ones DI's options validation uses).</summary>
    /// <param name="section">The section's key as configuration shows it (prefix included); "" for the whole source.</param>
    /// <param name="validator">The validator (called with the default options name).</param>
    public ZooKeeperConfigurationOptions Validate<TOptions>(string section, IValidateOptions<TOptions> validator)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(validator);
        Validators.Add(new SectionValidator<TOptions>(section, validator));
        return this;
    }

    /// <summary>As <see cref="Validate{TOptions}(string, Func{TOptions, bool}, string)"/>, checking the data annotations (<c>[Required]</c>, <c>[Range]</c>, ...) of <typeparamref name="TOptions"/>.</summary>
    /// <param name="section">The section's key as configuration shows it (prefix included); "" for the whole source.</param>
    public ZooKeeperConfigurationOptions ValidateDataAnnotations<TOptions>(string section)
        where TOptions : class, new() =>
        Validate(section, new DataAnnotationValidateOptions<TOptions>(Options.DefaultName));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (!PathUtils.IsValid(Path))
        {
            throw new ArgumentException($"ZooKeeperConfigurationOptions.Path '{Path}' must be a valid ZooKeeper path such as /config/myapp.", nameof(Path));
        }

        if ((Connection is null) == (ConnectionOptions is null))
        {
            throw new ArgumentException("Set exactly one of ZooKeeperConfigurationOptions.Connection (a connection you own) and ZooKeeperConfigurationOptions.ConnectionOptions (the source creates and owns one).", nameof(Connection));
        }

        ConnectionOptions?.Validate();
        if (StartupTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ZooKeeperConfigurationOptions.StartupTimeout must be positive; it is {StartupTimeout}.", nameof(StartupTimeout));
        }

        if (StartFromSnapshot && string.IsNullOrWhiteSpace(SnapshotPath))
        {
            throw new ArgumentException("ZooKeeperConfigurationOptions.StartFromSnapshot needs a SnapshotPath.", nameof(SnapshotPath));
        }

        if (KeyPrefix is { Length: > 0 } prefix && (prefix.StartsWith(':') || prefix.EndsWith(':')))
        {
            throw new ArgumentException($"ZooKeeperConfigurationOptions.KeyPrefix '{prefix}' must not start or end with ':'.", nameof(KeyPrefix));
        }

        if (MaxNodes < 1)
        {
            throw new ArgumentException($"ZooKeeperConfigurationOptions.MaxNodes must be at least 1; it is {MaxNodes}.", nameof(MaxNodes));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException("ZooKeeperConfigurationOptions.TimeProvider is required.", nameof(TimeProvider));
        }
    }

    /// <summary>A copy, so later changes by the caller do not affect a running source.</summary>
    internal ZooKeeperConfigurationOptions Clone() => new()
    {
        Path = Path,
        Connection = Connection,
        ConnectionOptions = ConnectionOptions,
        Mode = Mode,
        KeyPrefix = KeyPrefix,
        KeyFilter = KeyFilter,
        StartupTimeout = StartupTimeout,
        SnapshotPath = SnapshotPath,
        StartFromSnapshot = StartFromSnapshot,
        MaxNodes = MaxNodes,
        LoggerFactory = LoggerFactory,
        TimeProvider = TimeProvider,
        Validators = [.. Validators],
    };
}
