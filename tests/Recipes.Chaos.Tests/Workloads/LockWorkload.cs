using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.History;
using Recipes.Chaos.Tests.Invariants;
using Recipes.Locks;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>
/// Many contenders, each in its own session, loop on one mutex: acquire, write a few times to a fenced store with the
/// fencing token (while the LostToken has not fired), release. Every delay runs on the actor's own clock, so a paused
/// actor stops mid-hold and writes again, with its stale token, when it resumes.
/// </summary>
internal sealed class LockWorkload(IReadOnlyList<ChaosActor> contenders, string path = "/chaos/mutex") : IChaosWorkload
{
    public const string Resource = "mutex";

    private readonly ActorLoops _loops = new();
    private ChaosContext? _context;
    private int _acquisitions;
    private int _errors;

    public string Name => "locks";

    public int Acquisitions => Volatile.Read(ref _acquisitions);

    public int Errors => Volatile.Read(ref _errors);

    public FencedStore? Store { get; private set; }

    public IReadOnlyList<IHistoryInvariant> Invariants { get; } = [new ExclusiveOwnershipInvariant(), new FencingTokenInvariant(), new FencedWriteInvariant()];

    public IReadOnlyList<IQuiescentCheck> QuiescentChecks => [new EveryActorAcquiresAgain(Resource, contenders.Select(c => c.Name).ToList())];

    public Task StartAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        _context = context;
        Store = new FencedStore(context.History, Resource);
        _loops.Start(contenders, context.Seed, salt: 1, RunAsync, cancellationToken);
        return Task.CompletedTask;
    }

    public Task StopAsync() => _loops.StopAsync();

    private async Task RunAsync(ChaosActor actor, Random random, CancellationToken stop)
    {
        var history = _context!.History;
        var mutex = new ZooKeeperMutex(actor.Connection, path);
        while (!stop.IsCancellationRequested)
        {
            var attemptedAt = history.Now;
            ZooKeeperLockHandle? handle;
            try
            {
                handle = await mutex.TryAcquireAsync(TimeSpan.FromSeconds(5), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Connection loss, session expiry, ownership lost while waiting: the actor tries again.
                Interlocked.Increment(ref _errors);
                _context.Log($"{actor} acquire failed: {e.GetType().Name}: {e.Message}");
                await DelayAsync(actor, TimeSpan.FromMilliseconds(100), stop);
                continue;
            }

            if (handle is null)
            {
                continue;
            }

            await using (handle)
            {
                var hold = history.BeginHold(actor.Name, Resource, handle.FencingToken, () => !handle.IsLost, attemptedAt);
                if (hold == 0)
                {
                    continue;
                }

                Interlocked.Increment(ref _acquisitions);
                using var onLost = handle.LostToken.Register(() => history.EndHold(hold, HistoryEventKind.Lost));
                var writes = random.Next(1, 5);
                for (var i = 0; i < writes && !handle.IsLost && !stop.IsCancellationRequested; i++)
                {
                    Store!.TryWrite(actor.Name, handle.FencingToken);
                    await DelayAsync(actor, TimeSpan.FromMilliseconds(random.Next(10, 80)), stop);
                }

                // The holder stops believing before it lets go.
                history.EndHold(hold, HistoryEventKind.Released);
            }

            await DelayAsync(actor, TimeSpan.FromMilliseconds(random.Next(0, 30)), stop);
        }
    }

    /// <summary>A delay on the actor's clock (frozen while it is paused); returns early, without throwing, on stop.</summary>
    private static async Task DelayAsync(ChaosActor actor, TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, actor.Clock, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
