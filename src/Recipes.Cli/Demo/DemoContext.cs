using System.Collections.Concurrent;
using Recipes.Discovery;
using Recipes.Testing;

namespace Recipes.Cli.Demo;

/// <summary>What the demo's steps work with: the workers, the cluster, the referee, the fenced store and the narrator.</summary>
internal sealed class DemoContext(string connectionString, string root, DemoNarrator narrator)
{
    /// <summary>How long a step waits for what it shows before it reports a failed check (generous: machines can be loaded).</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public string ConnectionString { get; } = connectionString;

    /// <summary>The demo's own root znode (unique per run).</summary>
    public string Root { get; } = root;

    public string LeaderPath => Root + "/leader";

    public string LockPath => Root + "/lock";

    /// <summary>The service every worker registers as (DYNAMIC: an ephemeral node of its own session).</summary>
    public const string ServiceName = "demo-workers";

    /// <summary>The discovery base path of this run (the service is at <c>{ServicesPath}/demo-workers</c>).</summary>
    public string ServicesPath => Root + "/services";

    /// <summary>The config root every worker reads with <c>AddZooKeeper</c>.</summary>
    public string ConfigPath => Root + "/config";

    /// <summary>The key the demo changes mid-run (bound to <see cref="DemoWorkerOptions.BatchSize"/>).</summary>
    public string ConfigKey => DemoWorkerOptions.Section + ":" + nameof(DemoWorkerOptions.BatchSize);

    public int InitialBatchSize => 10;

    /// <summary>The value the demo last wrote (what every worker must end up observing).</summary>
    public int FinalBatchSize { get; set; } = 10;

    /// <summary>The operator session: writes the config, watches discovery. Set before the workers start.</summary>
    public DemoOperator? Operator { get; set; }

    public DemoOperator RequireOperator() => Operator ?? throw new InvalidOperationException("The demo's operator has not started.");

    /// <summary>Every change discovery's cache reported, in order.</summary>
    public List<(ServiceCacheChangeKind Kind, string Id)> ServiceEvents
    {
        get
        {
            lock (_serviceLock)
            {
                return [.. _serviceEvents];
            }
        }
    }

    /// <summary>The kills so far: the worker and how many discovery events had been seen before it.</summary>
    public List<(string Worker, int ServiceEventsBefore)> KillLog { get; } = [];

    /// <summary>What discovery listed at the end of the run (null if the run did not get there).</summary>
    public IReadOnlyList<string>? FinalServiceList { get; set; }

    public DemoNarrator Narrator { get; } = narrator;

    public DemoReferee Referee { get; } = new(narrator);

    public FencedStore Store { get; } = new();

    public List<DemoWorker> Workers { get; } = [];

    /// <summary>How many times the demo killed a session.</summary>
    public int Kills { get; private set; }

    private readonly Lock _serviceLock = new();
    private readonly List<(ServiceCacheChangeKind Kind, string Id)> _serviceEvents = [];
    private readonly ConcurrentDictionary<string, int> _configSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Worker, int Value), bool> _configChanges = new();

    /// <summary>The BatchSize <paramref name="worker"/>'s options monitor last delivered, if any.</summary>
    public int? ConfigValue(string worker) => _configSeen.TryGetValue(worker, out var value) ? value : null;

    /// <summary>Whether <paramref name="worker"/> saw <paramref name="value"/> arrive through OnChange (not at startup).</summary>
    public bool SawConfigChange(string worker, int value) => _configChanges.ContainsKey((worker, value));

    /// <summary>Called from a worker's IOptionsMonitor: at startup (<paramref name="initial"/>) and from OnChange.</summary>
    public void ObserveConfig(string worker, int value, bool initial)
    {
        var previous = _configSeen.TryGetValue(worker, out var seen) ? seen : (int?)null;
        _configSeen[worker] = value;
        if (initial)
        {
            Narrator.Say($"CONFIG  {worker} bound its options: {ConfigKey} = {value}");
        }
        else if (previous != value)
        {
            _configChanges[(worker, value)] = true;
            Narrator.Say($"CONFIG  {worker} observed {ConfigKey} = {value} live (IOptionsMonitor.OnChange; was {previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"})");
        }
    }

    /// <summary>Called from discovery's cache for every instance added, updated or removed.</summary>
    public void ServiceChanged(ServiceCache cache, ServiceCacheChangedEventArgs change)
    {
        lock (_serviceLock)
        {
            _serviceEvents.Add((change.Kind, change.Instance.Id));
        }

        var what = change.Kind switch
        {
            ServiceCacheChangeKind.Added => $"{change.Instance.Id} registered in {ServiceName}",
            ServiceCacheChangeKind.Removed => $"{change.Instance.Id} disappeared from {ServiceName}",
            _ => $"{change.Instance.Id} updated its registration",
        };
        Narrator.Say($"SERVICE {what} (discovery now lists {cache.Instances.Count})");
    }

    public DemoWorker Worker(string name) => Workers.Single(w => w.Name == name);

    /// <summary>Closes <paramref name="worker"/>'s session on the server, as a partition or a long pause would end it.</summary>
    public async Task KillSessionAsync(DemoWorker worker, CancellationToken cancellationToken)
    {
        var session = worker.Connection.CurrentSession ?? throw new DemoCheckException($"{worker.Name} has no session to kill.");
        Referee.SessionKilled(session.SessionId);
        Kills++;
        lock (_serviceLock)
        {
            KillLog.Add((worker.Name, _serviceEvents.Count));
        }

        await ZooKeeperSessionKiller.KillAsync(ConnectionString, session.Client, cancellationToken);
    }

    /// <summary>Waits (polling briefly) until <paramref name="condition"/> holds; a <see cref="DemoCheckException"/> names it otherwise.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var limit = timeout ?? StepTimeout;
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new DemoCheckException($"{what}: not seen within {limit.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
