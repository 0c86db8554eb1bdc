using System.Collections.Concurrent;
using System.Globalization;
using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.Invariants;
using Recipes.Discovery;
using Recipes.Testing;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>
/// Service discovery under faults: the first actor watches the service with a <see cref="ServiceCache"/>; every other
/// actor registers one DYNAMIC instance (its own session) and keeps updating its payload. Some registrants die for
/// good during the fault phase: one shuts down cleanly (its <see cref="ServiceDiscovery"/> disposed), one crashes
/// (its session killed on the server and its connection dropped, never restarted).
/// </summary>
internal sealed class DiscoveryWorkload(IReadOnlyList<ChaosActor> actors, TimeSpan faultPhase) : IChaosWorkload
{
    public const string ServiceName = "chaos-svc";

    private readonly ActorLoops _loops = new();
    private readonly ConcurrentDictionary<string, string> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _dead = new(StringComparer.Ordinal);
    private readonly List<ServiceDiscovery> _discoveries = [];
    private ChaosContext? _context;
    private ServiceDiscovery? _watcher;
    private ServiceCache? _cache;
    private int _operations;
    private int _errors;

    public string Name => "discovery";

    /// <summary>Successful registrations and updates.</summary>
    public int Acquisitions => Volatile.Read(ref _operations);

    public int Errors => Volatile.Read(ref _errors);

    public IReadOnlyList<IHistoryInvariant> Invariants => [];

    public IReadOnlyList<IQuiescentCheck> QuiescentChecks => [new RegistrationsConverge(this)];

    /// <summary>Ids of the instances whose registrant is alive.</summary>
    public IReadOnlyCollection<string> Live => _live.Keys.ToList();

    /// <summary>Ids of the instances whose registrant died.</summary>
    public IReadOnlyCollection<string> Dead => _dead.Keys.ToList();

    /// <summary>What the watching cache lists now.</summary>
    public IReadOnlyList<string> CacheIds => _cache?.Instances.Select(i => i.Id).ToList() ?? [];

    public async Task StartAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        _context = context;
        _watcher = new ServiceDiscovery(actors[0].Connection);
        _cache = _watcher.CreateCache(ServiceName);
        await _cache.StartAsync(cancellationToken);
        var registrants = actors.Skip(1).ToList();
        for (var i = 0; i < registrants.Count; i++)
        {
            var id = registrants[i].Name + "-" + Guid.NewGuid().ToString("N")[..8];
            _live[id] = registrants[i].Name;
            _discoveries.Add(new ServiceDiscovery(registrants[i].Connection));
        }

        _loops.Start(registrants, context.Seed, salt: 2001, RunAsync, cancellationToken);
    }

    public async Task StopAsync()
    {
        await _loops.StopAsync();
        foreach (var discovery in _discoveries)
        {
            await discovery.DisposeAsync();
        }

        if (_cache is not null)
        {
            await _cache.DisposeAsync();
        }

        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }
    }

    private async Task RunAsync(ChaosActor actor, Random random, CancellationToken stop)
    {
        var index = IndexOf(actor);
        var discovery = _discoveries[index];
        var id = _live.First(p => p.Value == actor.Name).Key;

        // The first registrant shuts down and the second crashes, at a seeded time early in the fault phase (the
        // schedule may end before the planned phase does).
        var death = index switch
        {
            0 => Death.Shutdown,
            1 => Death.Crash,
            _ => Death.None,
        };
        var dieAt = _context!.History.Now + (faultPhase * (0.1 + (random.NextDouble() * 0.35)));
        var update = 0;
        var registered = false;
        while (!stop.IsCancellationRequested)
        {
            if (death != Death.None && _context.History.Now >= dieAt)
            {
                await DieAsync(actor, discovery, id, death);
                return;
            }

            var instance = new ServiceInstance
            {
                Name = ServiceName,
                Id = id,
                Address = "127.0.0.1",
                Port = 8000 + index,
                Payload = new Dictionary<string, string> { ["update"] = update.ToString(CultureInfo.InvariantCulture) },
            };
            try
            {
                if (registered)
                {
                    await discovery.UpdateAsync(instance, stop);
                }
                else
                {
                    await discovery.RegisterAsync(instance, stop);
                    registered = true;
                }

                update++;
                Interlocked.Increment(ref _operations);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _errors);
                _context.Log($"{actor} {(registered ? "update" : "register")} failed: {e.GetType().Name}: {e.Message}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(100, 600)), actor.Clock, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task DieAsync(ChaosActor actor, ServiceDiscovery discovery, string id, Death death)
    {
        _live.TryRemove(id, out _);
        _dead[id] = actor.Name;
        _context!.Log($"{actor} dies ({death}) with instance {id}");
        if (death == Death.Shutdown)
        {
            await discovery.DisposeAsync();
        }
        else if (actor.Connection.CurrentSession is { } session)
        {
            try
            {
                await ZooKeeperSessionKiller.KillAsync(_context.Cluster.ConnectionString, session.Client);
            }
            catch (InvalidOperationException e)
            {
                _context.Log($"{actor}'s session was already gone: {e.Message}");
            }
        }

        // The process is gone: its connection never comes back.
        await actor.Connection.DisposeAsync();
    }

    private int IndexOf(ChaosActor actor)
    {
        for (var i = 1; i < actors.Count; i++)
        {
            if (ReferenceEquals(actors[i], actor))
            {
                return i - 1;
            }
        }

        throw new ArgumentException($"{actor} is not a registrant.", nameof(actor));
    }

    private enum Death
    {
        None,
        Shutdown,
        Crash,
    }

    /// <summary>Waits until the server's listing and the cache both show every live instance once and no dead one.</summary>
    private sealed class RegistrationsConverge(DiscoveryWorkload workload) : IQuiescentCheck
    {
        public string Name => "discovery registrations converge";

        public async Task<QuiescentResult> CheckAsync(ChaosContext context, CancellationToken cancellationToken)
        {
            var healedAt = context.History.Now;
            await using var direct = await context.ConnectDirectAsync(cancellationToken);
            await using var reader = new ServiceDiscovery(direct);
            return await Convergence.WaitAsync(context, Name, healedAt, ObserveAsync, cancellationToken);

            async Task<IReadOnlyList<string>> ObserveAsync()
            {
                IReadOnlyList<string> server;
                try
                {
                    server = (await reader.QueryForInstancesAsync(ServiceName, cancellationToken)).Select(i => i.Id).ToList();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return [$"the server's listing failed: {e.GetType().Name}: {e.Message}"];
                }

                return DiscoveryConvergence.Problems(
                    workload.Live, workload.Dead, new Dictionary<string, IReadOnlyList<string>> { ["server"] = server, ["cache"] = workload.CacheIds });
            }
        }
    }
}
