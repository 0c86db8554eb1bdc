using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Leader.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Leader;

/// <summary>
/// A leader selector (Curator's <c>LeaderSelector</c>, same node layout <c>_c_&lt;uuid&gt;-lock-&lt;sequence&gt;</c>):
/// runs a callback while this participant leads. Leadership lasts until the callback returns or leadership is lost
/// (the callback's token is cancelled); either way the selector joins the line again by itself until stopped.
/// </summary>
/// <remarks>
/// The callback should return promptly once its token is cancelled: the selector does not take part again until it
/// has. If it throws, the error is logged and the selector joins again.
/// </remarks>
public sealed class LeaderSelector : IAsyncDisposable
{
    private readonly IZooKeeperConnection _connection;
    private readonly ElectionParticipant _participant;

    /// <summary>Creates a selector; it takes part once started.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The election's path (created as a container if missing).</param>
    /// <param name="leadership">Runs while leading; its token (the term's <see cref="LeadershipTerm.LostToken"/>) is cancelled when leadership ends.</param>
    /// <param name="options">The participant id and retry delay; defaults when null.</param>
    public LeaderSelector(IZooKeeperConnection connection, string path, Func<LeadershipTerm, CancellationToken, Task> leadership, LeaderElectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(leadership);
        PathUtils.Validate(path);
        options ??= new LeaderElectionOptions();
        options.Validate();
        _connection = connection;
        _participant = new ElectionParticipant(
            connection,
            path,
            ElectionParticipant.SelectorMarker,
            options,
            term => leadership(term, term.LostToken),
            e => LeadershipChanged?.Invoke(this, e),
            connection.LoggerFactory.CreateLogger<LeaderSelector>());
    }

    /// <summary>The election's path.</summary>
    public string Path => _participant.Path;

    /// <summary>This participant's id (its node's data).</summary>
    public string ParticipantId => _participant.ParticipantId;

    /// <summary>Whether this selector leads now (its callback is running and the term has not ended).</summary>
    public bool IsLeader => _participant.CurrentTerm is not null;

    /// <summary>The current term while leading; null otherwise.</summary>
    public LeadershipTerm? CurrentTerm => _participant.CurrentTerm;

    /// <summary>Raised when leadership is taken (before the callback runs) or ends (after it returned).</summary>
    public event EventHandler<LeadershipChangedEventArgs>? LeadershipChanged;

    /// <summary>Starts taking part (in the background); returns at once. A selector can be started once.</summary>
    /// <param name="cancellationToken">Unused beyond an early check.</param>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _participant.Start();
        return Task.CompletedTask;
    }

    /// <summary>Cancels the callback's token, waits for it to return, leaves the election and deletes the node.</summary>
    /// <param name="cancellationToken">Stops waiting (the selector still stops).</param>
    public Task StopAsync(CancellationToken cancellationToken = default) => _participant.StopAsync(cancellationToken);

    /// <summary>Waits until this selector leads and returns the term; null when <paramref name="timeout"/> passes first.</summary>
    /// <param name="timeout">How long to wait at most; null to wait until leading.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task<LeadershipTerm?> WaitForLeadershipAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _participant.WaitForTermAsync(timeout, cancellationToken);

    /// <summary>The leader (the first participant in line), or null when nobody takes part.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<Participant?> GetLeaderAsync(CancellationToken cancellationToken = default) =>
        (await GetParticipantsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>Every participant, first in line (the leader) first, with ids read from the nodes' data.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<IReadOnlyList<Participant>> GetParticipantsAsync(CancellationToken cancellationToken = default) =>
        ParticipantReader.ReadAsync(_connection, Path, [ElectionParticipant.SelectorMarker], cancellationToken);

    /// <inheritdoc cref="StopAsync"/>
    public ValueTask DisposeAsync() => _participant.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => $"LeaderSelector('{Path}', '{ParticipantId}'{(IsLeader ? ", leader" : "")})";
}
