namespace Recipes.Leader;

/// <summary>
/// The base of a worker that runs only while this instance leads an election; register it with
/// <c>services.AddLeaderElectedService&lt;TWorker&gt;(path)</c>.
/// </summary>
/// <remarks>
/// <see cref="ExecuteAsync"/> starts each time this instance becomes leader. Its token is cancelled when leadership
/// ends (ownership lost, node gone) or the host stops; after that the instance joins the election again, and the
/// worker runs again on re-election, for as long as the host runs. Returning on its own resigns leadership (another
/// instance gets its turn) and joins the line again.
/// </remarks>
public abstract class LeaderElectedService
{
    private LeadershipTerm? _term;

    /// <summary>The term the worker runs in (its <see cref="LeadershipTerm.Term"/> is a fencing token); null between terms.</summary>
    public LeadershipTerm? CurrentTerm => Volatile.Read(ref _term);

    /// <summary>The work to do while leading.</summary>
    /// <param name="stoppingToken">Cancelled when leadership ends or the host stops; return promptly then.</param>
    protected internal abstract Task ExecuteAsync(CancellationToken stoppingToken);

    internal async Task RunTermAsync(LeadershipTerm term, CancellationToken stoppingToken)
    {
        Volatile.Write(ref _term, term);
        try
        {
            await ExecuteAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _term, null);
        }
    }
}
