namespace Recipes.Cli.Demo;

/// <summary>
/// Kills the leader's session on the server (preferably while it holds the lock) and waits until leadership has
/// moved, the lock was handed over with a higher fencing token, and the victim is back with a new session.
/// </summary>
internal sealed class KillLeaderStep : IDemoStep
{
    public string Title => "Killing the leader's session on the server (as a network partition or a long GC pause would)";

    public async Task RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var leaderName = context.Referee.Leader ?? throw new DemoCheckException("no leader to kill");
        var victim = context.Worker(leaderName);
        try
        {
            // The most telling moment: the leader also holds the lock. Do not wait for it forever.
            await context.WaitUntilAsync(() => context.Referee.Holds(victim.Name), $"{victim.Name} holding the lock", cancellationToken, TimeSpan.FromSeconds(10));
        }
        catch (DemoCheckException)
        {
        }

        var holds = context.Referee.Holds(victim.Name);
        var grantsBefore = context.Referee.GrantHistory.Count;
        var tokenBefore = context.Referee.GrantHistory.Count > 0 ? context.Referee.GrantHistory[^1].Token : long.MinValue;
        var session = victim.SessionId;
        context.Narrator.Say($"KILL    closing {victim.Name}'s session 0x{session:x} on the server ({(holds ? "it leads and holds the lock" : "it leads")})");
        await context.KillSessionAsync(victim, cancellationToken);

        await context.WaitUntilAsync(() => context.Referee.Leader is { } leader && leader != victim.Name, "leadership moving to another worker", cancellationToken);
        await context.WaitUntilAsync(
            () => context.Referee.GrantHistory.Skip(grantsBefore).Any(g => g.Worker != victim.Name && g.Token > tokenBefore),
            "the lock handed to another worker with a higher fencing token", cancellationToken);
        await context.WaitUntilAsync(() => victim.SessionId != 0 && victim.SessionId != session, $"{victim.Name} back with a new session", cancellationToken);
    }
}
