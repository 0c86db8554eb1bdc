using Recipes.Chaos.Tests.Harness;
using Recipes.Chaos.Tests.History;
using Recipes.Testing;

namespace Recipes.Chaos.Tests.Faults;

/// <summary>
/// Applies a fault schedule to the actors and servers, one step after another, recording each fault's start and end
/// in the history; every fault is healed before the next one and before <see cref="RunAsync"/> returns.
/// </summary>
internal sealed class FaultInjector(ChaosContext context, Func<ChaosActor, bool> ownsSomething)
{
    private const string Chaos = "chaos";
    private static readonly TimeSpan QuorumPatience = TimeSpan.FromSeconds(60);

    private readonly Dictionary<FaultKind, int> _counts = [];

    /// <summary>How many faults of each kind were injected.</summary>
    public IReadOnlyDictionary<FaultKind, int> Counts => _counts;

    /// <summary>Faults that could not be applied (e.g. the session to kill had just expired), for the report.</summary>
    public int Skipped { get; private set; }

    public async Task RunAsync(IReadOnlyList<FaultStep> schedule, CancellationToken cancellationToken)
    {
        foreach (var step in schedule)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(step.Gap, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await ApplyAsync(step);
        }
    }

    private ChaosActor PickActor(FaultStep step)
    {
        var actors = context.Actors;
        if (step.PreferHolder)
        {
            var holders = actors.Where(ownsSomething).ToList();
            if (holders.Count > 0)
            {
                return holders[step.Target % holders.Count];
            }
        }

        return actors[step.Target % actors.Count];
    }

    private async Task ApplyAsync(FaultStep step)
    {
        var history = context.History;
        var name = step.Kind.ToString();
        switch (step.Kind)
        {
            case FaultKind.Blackhole:
            case FaultKind.Trickle:
            {
                var actor = PickActor(step);
                history.Record(actor.Name, HistoryEventKind.FaultStarted, name, detail: $"{step.Duration.TotalMilliseconds:0} ms");
                foreach (var proxy in actor.Proxies)
                {
                    if (step.Kind == FaultKind.Trickle)
                    {
                        proxy.TrickleBytes = 8 + (step.Target * 13 % 57);
                        proxy.TrickleInterval = TimeSpan.FromMilliseconds(5 + (step.Target * 7 % 25));
                    }

                    proxy.Mode = step.Kind == FaultKind.Blackhole ? FaultMode.Blackhole : FaultMode.SlowTrickle;
                }

                var droppedBefore = actor.Proxies.Select(p => p.BytesDropped).ToArray();
                await Task.Delay(step.Duration);
                for (var i = 0; i < actor.Proxies.Count; i++)
                {
                    var proxy = actor.Proxies[i];

                    // The proxy drops what arrives during a blackhole. A TCP stream never loses bytes and goes on: it
                    // delivers them late or breaks. So a connection that lost bytes is reset as it heals (the client
                    // reconnects), instead of resuming a stream with frames missing, which no real network produces.
                    if (proxy.BytesDropped != droppedBefore[i])
                    {
                        proxy.Reset();
                    }

                    proxy.Heal();
                }

                history.Record(actor.Name, HistoryEventKind.FaultEnded, name);
                break;
            }

            case FaultKind.Reset:
            {
                var actor = PickActor(step);
                history.Record(actor.Name, HistoryEventKind.FaultStarted, name);
                foreach (var proxy in actor.Proxies)
                {
                    proxy.Reset();
                }

                history.Record(actor.Name, HistoryEventKind.FaultEnded, name);
                break;
            }

            case FaultKind.Pause:
            {
                var actor = PickActor(step);
                history.Record(actor.Name, HistoryEventKind.FaultStarted, name, detail: $"{step.Duration.TotalMilliseconds:0} ms");

                // Past the session timeout the server expires the session while the actor cannot know.
                history.Record(actor.Name, HistoryEventKind.UnseenSessionLoss, name);
                await using (ProcessPause.Begin(actor.Clock, actor.Proxies))
                {
                    await Task.Delay(step.Duration);
                }

                history.Record(actor.Name, HistoryEventKind.FaultEnded, name);
                break;
            }

            case FaultKind.SessionKill:
            {
                var actor = PickActor(step);
                var session = actor.Connection.CurrentSession;
                if (session is null || session.IsOwnershipLost)
                {
                    Skipped++;
                    return;
                }

                history.Record(actor.Name, HistoryEventKind.FaultStarted, name, detail: $"session 0x{session.SessionId:x}");
                history.Record(actor.Name, HistoryEventKind.UnseenSessionLoss, name);
                try
                {
                    await ZooKeeperSessionKiller.KillAsync(context.Cluster.ConnectionString, session.Client);
                }
                catch (InvalidOperationException e)
                {
                    // Already expired (e.g. just after a partition): nothing was killed, nothing is lost by trying.
                    Skipped++;
                    context.Log($"session kill of {actor} skipped: {e.Message}");
                }

                history.Record(actor.Name, HistoryEventKind.FaultEnded, name);
                break;
            }

            case FaultKind.ServerRestart:
            {
                var server = context.Cluster.Server ?? throw new InvalidOperationException("Server restarts need a standalone server.");
                history.Record(Chaos, HistoryEventKind.FaultStarted, name);
                await server.RestartAsync();
                history.Record(Chaos, HistoryEventKind.FaultEnded, name);
                break;
            }

            case FaultKind.NodeKill:
            {
                var ensemble = context.Cluster.Ensemble ?? throw new InvalidOperationException("Node kills need an ensemble.");
                var node = (step.Target % ensemble.NodeCount) + 1;
                history.Record(Chaos, HistoryEventKind.FaultStarted, name, detail: $"node {node}");
                await ensemble.KillNodeAsync(node);
                await Task.Delay(step.Duration);
                await ensemble.StartNodeAsync(node);
                await ensemble.WaitForQuorumAsync(QuorumPatience);
                history.Record(Chaos, HistoryEventKind.FaultEnded, name, detail: $"node {node}");
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "Unknown fault.");
        }

        _counts[step.Kind] = _counts.GetValueOrDefault(step.Kind) + 1;
        context.Log($"fault {step}");
    }
}
