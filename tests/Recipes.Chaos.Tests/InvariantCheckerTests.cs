using Recipes.Chaos.Tests.Faults;
using Recipes.Chaos.Tests.History;
using Recipes.Chaos.Tests.Invariants;

namespace Recipes.Chaos.Tests;

/// <summary>The invariant checker on hand-made histories: it passes good ones and catches every kind of bad one.</summary>
public sealed class InvariantCheckerTests
{
    private const string Mutex = "mutex";

    [Fact]
    public void Successive_holds_with_increasing_tokens_pass()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            End(20, "a", HistoryEventKind.Released, 100, hold: 1),
            Acquired(20, "b", 105, hold: 2),
            End(30, "b", HistoryEventKind.Lost, 105, hold: 2),
            Acquired(31, "a", 110, hold: 3),
        };

        Assert.Empty(new ExclusiveOwnershipInvariant().Check(history));
        Assert.Empty(new FencingTokenInvariant().Check(history));
    }

    [Fact]
    public void Two_holders_believing_at_once_fail()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            Acquired(15, "b", 105, hold: 2),
            End(20, "a", HistoryEventKind.Lost, 100, hold: 1),
            End(25, "b", HistoryEventKind.Released, 105, hold: 2),
        };

        var violation = Assert.Single(new ExclusiveOwnershipInvariant().Check(history));
        Assert.Equal(TimeSpan.FromMilliseconds(15), violation.At);
        Assert.Contains("hold 2 of b", violation.Message, StringComparison.Ordinal);
        Assert.Contains("hold 1 of a", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hold_that_never_ends_overlaps_every_later_one()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            Acquired(20, "b", 105, hold: 2),
            End(21, "b", HistoryEventKind.Released, 105, hold: 2),
            Acquired(22, "c", 107, hold: 3),
        };

        Assert.Equal(2, new ExclusiveOwnershipInvariant().Check(history).Count);
    }

    [Fact]
    public void Different_resources_may_be_held_at_once()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            Acquired(11, "b", 101, hold: 2, resource: "leadership"),
        };

        Assert.Empty(new ExclusiveOwnershipInvariant().Check(history));
    }

    [Fact]
    public void An_overlap_after_the_holders_session_was_ended_behind_its_back_is_fenced_not_a_violation()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            new HistoryEvent(Ms(12), "a", HistoryEventKind.UnseenSessionLoss, "Pause"),
            Acquired(20, "b", 105, hold: 2),
            new HistoryEvent(Ms(21), "b", HistoryEventKind.WriteAccepted, Mutex, 105),
            new HistoryEvent(Ms(25), "a", HistoryEventKind.WriteRejected, Mutex, 100),
            End(26, "a", HistoryEventKind.Lost, 100, hold: 1),
        };

        var exclusive = new ExclusiveOwnershipInvariant();
        Assert.Empty(exclusive.Check(history));
        Assert.Equal(1, exclusive.FencedOverlaps);
        Assert.Empty(new FencingTokenInvariant().Check(history));
        Assert.Empty(new FencedWriteInvariant().Check(history));
    }

    [Fact]
    public void A_session_loss_of_someone_else_excuses_nothing()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            new HistoryEvent(Ms(12), "c", HistoryEventKind.UnseenSessionLoss, "SessionKill"),
            Acquired(20, "b", 105, hold: 2),
        };

        Assert.Single(new ExclusiveOwnershipInvariant().Check(history));
    }

    [Fact]
    public void A_session_loss_after_the_overlap_began_excuses_nothing()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            Acquired(20, "b", 105, hold: 2),
            new HistoryEvent(Ms(22), "a", HistoryEventKind.UnseenSessionLoss, "SessionKill"),
        };

        Assert.Single(new ExclusiveOwnershipInvariant().Check(history));
    }

    [Fact]
    public void A_later_holder_with_a_lower_token_fails_fencing()
    {
        var history = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            End(20, "a", HistoryEventKind.Released, 100, hold: 1),
            Acquired(30, "b", 90, hold: 2),
        };

        var violation = Assert.Single(new FencingTokenInvariant().Check(history));
        Assert.Contains("token 90", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_equal_token_passes_only_for_the_same_holder()
    {
        var regranted = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            End(20, "a", HistoryEventKind.Lost, 100, hold: 1),
            Acquired(30, "a", 100, hold: 2),
        };
        var stolen = new[]
        {
            Acquired(10, "a", 100, hold: 1),
            End(20, "a", HistoryEventKind.Lost, 100, hold: 1),
            Acquired(30, "b", 100, hold: 2),
        };

        Assert.Empty(new FencingTokenInvariant().Check(regranted));
        Assert.Single(new FencingTokenInvariant().Check(stolen));
    }

    [Fact]
    public void A_store_that_accepts_a_stale_token_fails()
    {
        var history = new[]
        {
            new HistoryEvent(Ms(10), "b", HistoryEventKind.WriteAccepted, Mutex, 105),
            new HistoryEvent(Ms(20), "a", HistoryEventKind.WriteAccepted, Mutex, 100),
        };

        var violation = Assert.Single(new FencedWriteInvariant().Check(history));
        Assert.Contains("token 100", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_recorder_closes_holds_whose_holder_stopped_believing_before_a_new_acquisition()
    {
        var history = new ChaosHistory();
        var aBelieves = true;
        var a = history.BeginHold("a", Mutex, 100, () => aBelieves, history.Now);
        aBelieves = false;

        // The LostToken callback of a has not run yet; b's acquisition must still find a closed first.
        var b = history.BeginHold("b", Mutex, 105, () => true, history.Now);
        history.EndHold(a, HistoryEventKind.Lost);
        var events = history.Snapshot();

        Assert.Equal([HistoryEventKind.Acquired, HistoryEventKind.Lost, HistoryEventKind.Acquired], events.Select(e => e.Kind));
        Assert.Equal([a, a, b], events.Select(e => e.HoldId));
        Assert.Empty(new ExclusiveOwnershipInvariant().Check(events));
        Assert.True(history.HasOpenHold("b"));
        Assert.False(history.HasOpenHold("a"));
        Assert.Equal(0, history.BeginHold("c", Mutex, 110, () => false, history.Now));
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule()
    {
        var first = FaultSchedule.Generate(42, TimeSpan.FromSeconds(60), actors: 5, ensemble: false, TimeSpan.FromSeconds(4));
        var again = FaultSchedule.Generate(42, TimeSpan.FromSeconds(60), actors: 5, ensemble: false, TimeSpan.FromSeconds(4));
        var other = FaultSchedule.Generate(43, TimeSpan.FromSeconds(60), actors: 5, ensemble: false, TimeSpan.FromSeconds(4));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(first.Sum(s => (s.Gap + s.Duration).TotalSeconds) <= 60);
        Assert.DoesNotContain(first, s => s.Kind == FaultKind.NodeKill);
        Assert.DoesNotContain(
            FaultSchedule.Generate(42, TimeSpan.FromSeconds(60), actors: 5, ensemble: true, TimeSpan.FromSeconds(4)),
            s => s.Kind == FaultKind.ServerRestart);
    }

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    private static HistoryEvent Acquired(int ms, string actor, long token, long hold, string resource = Mutex) =>
        new(Ms(ms), actor, HistoryEventKind.Acquired, resource, token, hold, Ms(ms - 1));

    private static HistoryEvent End(int ms, string actor, HistoryEventKind kind, long token, long hold) =>
        new(Ms(ms), actor, kind, Mutex, token, hold);
}
