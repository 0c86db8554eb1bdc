namespace Recipes.Chaos.Tests.Faults;

/// <summary>
/// A seeded random sequence of faults: the same seed, duration and settings always give the same schedule, so a
/// failing run can be replayed (<c>RECIPES_CHAOS_SEED</c>). Faults are applied one after another.
/// </summary>
internal static class FaultSchedule
{
    /// <summary>Builds a schedule whose steps (gaps and durations) fit in <paramref name="length"/>.</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="length">The fault phase's length.</param>
    /// <param name="actors">How many actors per-actor faults choose from.</param>
    /// <param name="ensemble">Node kills (ensemble) instead of server restarts (standalone).</param>
    /// <param name="sessionTimeout">The actors' session timeout: partitions and pauses are chosen around it.</param>
    public static IReadOnlyList<FaultStep> Generate(int seed, TimeSpan length, int actors, bool ensemble, TimeSpan sessionTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(actors, 1);
        var random = new Random(seed);
        var steps = new List<FaultStep>();
        var used = TimeSpan.Zero;
        var session = sessionTimeout.TotalMilliseconds;
        while (true)
        {
            var gap = TimeSpan.FromMilliseconds(random.Next(300, 1500));
            var roll = random.Next(100);
            var kind = roll switch
            {
                < 22 => FaultKind.Blackhole,
                < 36 => FaultKind.Reset,
                < 50 => FaultKind.Trickle,
                < 64 => FaultKind.Pause,
                < 82 => FaultKind.SessionKill,
                _ => ensemble ? FaultKind.NodeKill : FaultKind.ServerRestart,
            };
            var duration = kind switch
            {
                // Half the partitions end before the ownership grace (half the session), half outlast the session.
                FaultKind.Blackhole => TimeSpan.FromMilliseconds(random.Next(2) == 0 ? random.Next(200, (int)(session * 0.4)) : random.Next((int)(session * 1.1), (int)(session * 1.6))),
                FaultKind.Trickle => TimeSpan.FromMilliseconds(random.Next(1000, 4000)),
                FaultKind.Pause => TimeSpan.FromMilliseconds(random.Next((int)(session * 1.2), (int)(session * 1.6))),
                FaultKind.NodeKill => TimeSpan.FromMilliseconds(random.Next(500, 4000)),
                _ => TimeSpan.Zero,
            };
            var target = random.Next(ensemble && kind == FaultKind.NodeKill ? 3 : actors);
            var preferHolder = random.Next(100) < 60;
            if (used + gap + duration > length)
            {
                return steps;
            }

            used += gap + duration;
            steps.Add(new FaultStep(gap, kind, target, preferHolder, duration));
        }
    }
}
