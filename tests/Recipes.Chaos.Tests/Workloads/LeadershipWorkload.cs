using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.History;
using Recipes.Chaos.Tests.Invariants;
using Recipes.Leader;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>
/// Participants, each in its own session, run for leadership with a <see cref="LeaderLatch"/>; a leader keeps its
/// term for a while (on its own clock) and then resigns and runs again, so terms change hands often even without
/// faults. Each term is recorded from the moment the participant is told it leads until it resigns or its LostToken fires.
/// </summary>
internal sealed class LeadershipWorkload(IReadOnlyList<ChaosActor> participants, string path = "/chaos/leader") : IChaosWorkload
{
    public const string Resource = "leadership";

    private readonly ActorLoops _loops = new();
    private ChaosContext? _context;
    private int _terms;
    private int _errors;

    public string Name => "leadership";

    public int Acquisitions => Volatile.Read(ref _terms);

    public int Errors => Volatile.Read(ref _errors);

    public IReadOnlyList<IHistoryInvariant> Invariants { get; } = [new ExclusiveOwnershipInvariant(), new FencingTokenInvariant()];

    public IReadOnlyList<IQuiescentCheck> QuiescentChecks => [new EveryActorAcquiresAgain(Resource, participants.Select(c => c.Name).ToList())];

    public Task StartAsync(ChaosContext context, CancellationToken cancellationToken)
    {
        _context = context;
        _loops.Start(participants, context.Seed, salt: 1001, RunAsync, cancellationToken);
        return Task.CompletedTask;
    }

    public Task StopAsync() => _loops.StopAsync();

    private async Task RunAsync(ChaosActor actor, Random random, CancellationToken stop)
    {
        var history = _context!.History;
        var terms = new TermRecorder(history, actor.Name, () => Interlocked.Increment(ref _terms));
        while (!stop.IsCancellationRequested)
        {
            var latch = new LeaderLatch(actor.Connection, path, new LeaderElectionOptions { ParticipantId = actor.Name, RetryDelay = TimeSpan.FromMilliseconds(200) });
            latch.LeadershipChanged += (_, e) =>
            {
                if (e.IsLeader)
                {
                    terms.Begin(e.Term);
                }
                else
                {
                    terms.End(e.Term, HistoryEventKind.Lost);
                }
            };
            try
            {
                var attemptedAt = history.Now;
                terms.AttemptedAt = attemptedAt;
                await latch.StartAsync(stop);
                var term = await latch.WaitForLeadershipAsync(null, stop);
                if (term is null)
                {
                    continue;
                }

                terms.Begin(term);
                using (var held = CancellationTokenSource.CreateLinkedTokenSource(stop, term.LostToken))
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(random.Next(200, 1200)), actor.Clock, held.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                // The leader stops believing before it resigns.
                terms.End(term, HistoryEventKind.Released);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _errors);
                _context.Log($"{actor} election failed: {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                terms.EndAll();
                await latch.DisposeAsync();
            }
        }
    }

    /// <summary>Records each term once, however it is first seen (the event or the wait), and ends it once.</summary>
    private sealed class TermRecorder(ChaosHistory history, string actor, Action counted)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<LeadershipTerm, (long Hold, CancellationTokenRegistration OnLost)> _open = [];

        public TimeSpan AttemptedAt { get; set; }

        public void Begin(LeadershipTerm term)
        {
            lock (_lock)
            {
                if (_open.ContainsKey(term))
                {
                    return;
                }

                var hold = history.BeginHold(actor, Resource, term.Term, () => !term.IsLost, AttemptedAt);
                if (hold == 0)
                {
                    _open[term] = (0, default);
                    return;
                }

                counted();
                var onLost = term.LostToken.Register(() => history.EndHold(hold, HistoryEventKind.Lost));
                _open[term] = (hold, onLost);
            }
        }

        public void End(LeadershipTerm term, HistoryEventKind kind)
        {
            lock (_lock)
            {
                if (_open.TryGetValue(term, out var entry))
                {
                    history.EndHold(entry.Hold, kind);
                }
            }
        }

        public void EndAll()
        {
            lock (_lock)
            {
                foreach (var (term, (hold, onLost)) in _open)
                {
                    history.EndHold(hold, term.IsLost ? HistoryEventKind.Lost : HistoryEventKind.Released);
                    onLost.Dispose();
                }

                _open.Clear();
            }
        }
    }
}
