using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging;
using Recipes.Configuration.Internal;

namespace Recipes.Configuration;

// Publishing: the candidate keys are built from the znodes, checked by the registered validations (failing sections
// keep their last good keys), swapped in and signalled. One publisher at a time. When the cache reports a change and
// has nothing more queued behind it, the change is published at once on the cache's loop (no thread hop); during a
// burst the publisher runs on the thread pool, waits (briefly, bounded) for the cache to catch up so that the burst's
// end state is published whole (the znodes of one multi arrive as separate changes), and the changes that arrive
// meanwhile are coalesced into one more round, so a burst costs few reloads and the last state always gets published.
public sealed partial class ZooKeeperConfigurationProvider
{
    /// <summary>How long the publisher lets a burst go on before it publishes an intermediate state anyway.</summary>
    private static readonly TimeSpan MaxBurstWait = TimeSpan.FromMilliseconds(100);

    private readonly Lock _publishLock = new();
    private bool _live;
    private bool _fromSnapshot;
    private int _publishRequested;
    private int _publisherRunning;

    /// <summary>Takes the cache's state as the configuration (after its first load, or its catch-up after a snapshot start).</summary>
    private void GoLive(bool signal, bool atStart)
    {
        Volatile.Write(ref _live, true);
        Publish(signal, atStart);
        if (Volatile.Read(ref _fromSnapshot))
        {
            Volatile.Write(ref _fromSnapshot, false);
            _logger.LogInformation("ZooKeeper '{Root}' answered: the configuration caught up ({Count} keys) and replaces the snapshot.", _root, Data.Count);
        }
    }

    /// <summary>Called on the cache's loop after each change it reports.</summary>
    private void RequestPublish()
    {
        if (!Volatile.Read(ref _live) || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        Volatile.Write(ref _publishRequested, 1);
        if (Interlocked.CompareExchange(ref _publisherRunning, 1, 0) != 0)
        {
            return; // the running publisher takes this change in its next round
        }

        if (_cache.HasPendingChanges)
        {
            // A burst is in flight: publish off the cache's loop, which keeps applying changes meanwhile; they are
            // folded into the publisher's next round.
            ThreadPool.UnsafeQueueUserWorkItem(static provider => _ = provider.RunPublisherAsync(), this, preferLocal: false);
            return;
        }

        // Idle: publish at once, right here (no thread hop between the change and OnChange).
        Volatile.Write(ref _publishRequested, 0);
        PublishLogged();
        Volatile.Write(ref _publisherRunning, 0);
        if (Volatile.Read(ref _publishRequested) == 1 && Interlocked.CompareExchange(ref _publisherRunning, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static provider => _ = provider.RunPublisherAsync(), this, preferLocal: false);
        }
    }

    private void PublishLogged()
    {
        try
        {
            Publish(signal: true);
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Publishing the configuration from ZooKeeper '{Root}' failed; the last good keys stay.", _root);
        }
    }

    // Never throws: PublishLogged logs what publishing throws.
    private async Task RunPublisherAsync()
    {
        while (true)
        {
            await WaitForBurstEndAsync().ConfigureAwait(false);
            while (Interlocked.Exchange(ref _publishRequested, 0) == 1)
            {
                if (Volatile.Read(ref _disposed) != 0)
                {
                    break;
                }

                PublishLogged();
            }

            Volatile.Write(ref _publisherRunning, 0);
            if (Volatile.Read(ref _publishRequested) == 0 || Interlocked.CompareExchange(ref _publisherRunning, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Waits while the cache has more of the burst to report, at most <see cref="MaxBurstWait"/>.</summary>
    private async Task WaitForBurstEndAsync()
    {
        var start = Stopwatch.GetTimestamp();
        while (_cache.HasPendingChanges && Volatile.Read(ref _disposed) == 0 && Stopwatch.GetElapsedTime(start) < MaxBurstWait)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    /// <summary>Builds, validates and swaps in the keys; signals a reload if they changed.</summary>
    /// <exception cref="InvalidOperationException">At start, a section fails validation.</exception>
    private void Publish(bool signal, bool atStart = false)
    {
        lock (_publishLock)
        {
            var candidate = BuildKeys();
            var current = Data;
            if (_options.Validators.Count > 0)
            {
                ApplyValidation(candidate, current, atStart);
            }

            if (!atStart && SameKeys(candidate, current))
            {
                return;
            }

            Data = candidate;
            if (signal)
            {
                OnReload();
            }

            RequestSnapshot(candidate);
        }
    }

    /// <summary>Replaces each section that fails validation by its keys in <paramref name="lastGood"/>.</summary>
    private void ApplyValidation(Dictionary<string, string?> candidate, IDictionary<string, string?> lastGood, bool atStart)
    {
        var configuration = new ConfigurationRoot([new MemoryConfigurationProvider(new MemoryConfigurationSource { InitialData = candidate })]);
        var failures = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var passed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var validator in _options.Validators)
        {
            var problems = validator.Validate(configuration);
            if (problems.Count == 0)
            {
                passed.Add(validator.Section);
                continue;
            }

            if (!failures.TryGetValue(validator.Section, out var list))
            {
                failures[validator.Section] = list = [];
            }

            list.AddRange(problems);
        }

        foreach (var section in passed)
        {
            if (!failures.ContainsKey(section))
            {
                ClearError(ZooKeeperConfigurationErrorKind.ValidationFailed, section);
            }
        }

        if (failures.Count == 0)
        {
            return;
        }

        if (atStart)
        {
            var (section, problems) = failures.First();
            throw new InvalidOperationException(
                $"The configuration from ZooKeeper '{_root}' fails validation of section '{section}': {string.Join("; ", problems)}");
        }

        foreach (var (section, problems) in failures)
        {
            foreach (var key in candidate.Keys.Where(k => KeyMapping.IsInSection(k, section)).ToList())
            {
                candidate.Remove(key);
            }

            foreach (var (key, value) in lastGood)
            {
                if (KeyMapping.IsInSection(key, section))
                {
                    candidate[key] = value;
                }
            }

            var message = string.Join("; ", problems);
            _logger.LogError(
                "An update of the configuration section '{Section}' from ZooKeeper '{Root}' fails validation and is rejected; the section keeps its last good values: {Problems}",
                section, _root, message);
            ReportError(ZooKeeperConfigurationErrorKind.ValidationFailed, section, message, null);
        }
    }

    private static bool SameKeys(Dictionary<string, string?> candidate, IDictionary<string, string?> current)
    {
        if (candidate.Count != current.Count)
        {
            return false;
        }

        foreach (var (key, value) in candidate)
        {
            if (!current.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
