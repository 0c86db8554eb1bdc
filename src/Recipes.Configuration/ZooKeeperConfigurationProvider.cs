using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Recipes.Configuration.Internal;
using Recipes.Core;

namespace Recipes.Configuration;

/// <summary>
/// Configuration from a ZooKeeper subtree, kept current by Core's <see cref="TreeCache"/>: every change the cache
/// observes updates the keys and signals a reload, so <c>IOptionsMonitor&lt;T&gt;.OnChange</c> fires with the new value.
/// </summary>
/// <remarks>
/// <para>
/// Reloads: the first change after a quiet period is published at once (no debounce); changes that arrive while a
/// reload is being published are coalesced into one more reload with the latest state, so a burst costs few reloads
/// and the last value is never lost. A change that leaves the keys as they were (e.g. a filtered key) signals nothing.
/// </para>
/// <para>
/// Rejected updates: a malformed JSON document keeps its znode's last good content; a section that fails its
/// registered validation keeps its last good keys. Both are logged, raised as <see cref="UpdateRejected"/>, listed in
/// <see cref="CurrentErrors"/> until fixed, and reported by the health check.
/// </para>
/// <para>
/// Start: <see cref="Load"/> waits up to <see cref="ZooKeeperConfigurationOptions.StartupTimeout"/> for the first load
/// (configuration providers load synchronously, so this is a bounded blocking wait at start-up, on work that never
/// needs the calling thread). Then it fails with a clear error, or with
/// <see cref="ZooKeeperConfigurationOptions.StartFromSnapshot"/> starts from the local snapshot and reloads once
/// ZooKeeper answers.
/// </para>
/// </remarks>
public sealed partial class ZooKeeperConfigurationProvider : ConfigurationProvider, IDisposable, IAsyncDisposable
{
    private readonly ZooKeeperConfigurationOptions _options;
    private readonly IZooKeeperConnection _connection;
    private readonly bool _ownsConnection;
    private readonly TreeCache _cache;
    private readonly ILogger _logger;
    private readonly string _root;
    private int _loadState;
    private int _disposed;
    private Task? _disposal;

    /// <summary>Creates the provider; it starts on <see cref="Load"/>.</summary>
    /// <param name="options">The settings (copied).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public ZooKeeperConfigurationProvider(ZooKeeperConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _root = _options.Path;
        if (_options.Connection is { } connection)
        {
            _connection = connection;
        }
        else
        {
            var connectionOptions = _options.ConnectionOptions!;
            connectionOptions.LoggerFactory ??= _options.LoggerFactory;
            _connection = new ZooKeeperConnection(connectionOptions);
            _ownsConnection = true;
        }

        _logger = (_options.LoggerFactory ?? _connection.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ZooKeeperConfigurationProvider>();
        _cache = new TreeCache(_connection, _root, new TreeCacheOptions { MaxNodes = _options.MaxNodes });
        _cache.Created += OnNodeChanged;
        _cache.Changed += OnNodeChanged;
        _cache.Deleted += OnNodeDeleted;
    }

    /// <summary>
    /// Raised (on the cache's or the publisher's thread) when an update is rejected: a malformed JSON document, or a
    /// section that fails validation. Handlers must be quick; exceptions are logged and swallowed.
    /// </summary>
    public event EventHandler<ZooKeeperConfigurationErrorEventArgs>? UpdateRejected;

    /// <summary>The root znode.</summary>
    public string Path => _root;

    /// <summary>The problems in force now (each cleared when a later update fixes it).</summary>
    public IReadOnlyList<ZooKeeperConfigurationErrorEventArgs> CurrentErrors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors.Values];
            }
        }
    }

    /// <summary>True while the keys come from the local snapshot because ZooKeeper has not been loaded yet.</summary>
    public bool IsFromSnapshot => Volatile.Read(ref _fromSnapshot);

    /// <summary>True once the first load from ZooKeeper has been published.</summary>
    public bool IsLoadedFromZooKeeper => Volatile.Read(ref _live);

    /// <summary>The connection the provider reads through.</summary>
    public IZooKeeperConnection Connection => _connection;

    /// <summary>
    /// First call: starts the tree cache and waits (bounded) for the first load; see the remarks of the type. Later calls
    /// (<c>IConfigurationRoot.Reload()</c>) rebuild the keys from the cache.
    /// </summary>
    /// <exception cref="InvalidOperationException">ZooKeeper could not be loaded in time (and no snapshot was used), or the first load fails validation.</exception>
    public override void Load()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _loadState, 1) != 0)
        {
            if (Volatile.Read(ref _live))
            {
                Publish(signal: false);
            }

            return;
        }

        try
        {
            LoadFirst();
        }
        catch
        {
            // The configuration root is never built, so nobody else will stop the cache (and an owned connection).
            Dispose();
            throw;
        }
    }

    /// <summary>Stops the cache, removes its watch, and disposes the connection if the provider created it.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _disposal = DisposeCoreAsync();
        }

        return new ValueTask(_disposal ?? Task.CompletedTask);
    }

    /// <summary>Starts <see cref="DisposeAsync"/> without waiting (configuration roots dispose providers synchronously).</summary>
    public void Dispose() => _ = DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeper({_root}{(_options.Mode == ZooKeeperConfigurationMode.JsonDocuments ? ", JSON documents" : "")})";

    private void LoadFirst()
    {
        var start = _cache.StartAsync(CancellationToken.None);
        start.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        using (var loaded = new ManualResetEventSlim())
        {
            _ = _cache.Initialized.ContinueWith(static (_, state) => ((ManualResetEventSlim)state!).Set(), loaded, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (loaded.Wait(_options.StartupTimeout) && _cache.Initialized.IsCompletedSuccessfully)
            {
                GoLive(signal: false, atStart: true);
                _logger.LogInformation("Configuration loaded from ZooKeeper '{Root}': {Count} keys.", _root, Data.Count);
                return;
            }
        }

        var why = start.Exception?.GetBaseException().Message ?? $"the connection is {_connection.State}";
        if (_options.StartFromSnapshot && TryLoadSnapshot(why))
        {
            _ = _cache.Initialized.ContinueWith(
                static (t, state) =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        ((ZooKeeperConfigurationProvider)state!).GoLive(signal: true, atStart: false);
                    }
                },
                this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }

        throw new InvalidOperationException(
            $"Configuration from ZooKeeper '{_root}' (servers {_connection.Options.ConnectionString}) was not loaded within {_options.StartupTimeout.TotalSeconds:0.###} s: {why}."
            + (_options.StartFromSnapshot ? " No usable snapshot either (see the log)." : " Set ZooKeeperConfigurationOptions.SnapshotPath and StartFromSnapshot to start from the last good configuration instead."),
            start.Exception?.GetBaseException());
    }

    private bool TryLoadSnapshot(string why)
    {
        try
        {
            var (data, savedAt) = SnapshotFile.Read(_options.SnapshotPath!, _root);
            Data = data;
            Volatile.Write(ref _fromSnapshot, true);
            _logger.LogWarning(
                "ZooKeeper '{Root}' could not be loaded within {Timeout} s ({Reason}); starting from the snapshot '{Snapshot}' saved at {SavedAt:o} ({Count} keys). It is replaced as soon as ZooKeeper answers.",
                _root, _options.StartupTimeout.TotalSeconds, why, _options.SnapshotPath, savedAt, data.Count);
            return true;
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _logger.LogError(exception, "ZooKeeper '{Root}' could not be loaded ({Reason}) and the snapshot '{Snapshot}' cannot be used: {Problem}",
                _root, why, _options.SnapshotPath, exception.Message);
            return false;
        }
    }

    private async Task DisposeCoreAsync()
    {
        _cache.Created -= OnNodeChanged;
        _cache.Changed -= OnNodeChanged;
        _cache.Deleted -= OnNodeDeleted;
        try
        {
            await _cache.DisposeAsync().ConfigureAwait(false);
            await StopSnapshotWriterAsync().ConfigureAwait(false);
            if (_ownsConnection)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            _logger.LogWarning(exception, "Disposing the ZooKeeper configuration of '{Root}' failed.", _root);
        }
    }
}
