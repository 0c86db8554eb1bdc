using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Leader.Internal;
using Recipes.ZooKeeper;

namespace Recipes.Leader;

/// <summary>
/// A leader latch (Curator's <c>LeaderLatch</c>, same node layout): every started latch on one path keeps a node
/// <c>_c_&lt;uuid&gt;-latch-&lt;sequence&gt;</c> holding its participant id, and the first one leads until it stops
/// or loses its session's ownership.
/// </summary>
/// <remarks>
/// <para>Each period of leadership is a <see cref="LeadershipTerm"/> whose <see cref="LeadershipTerm.LostToken"/>
/// fires when it ends and whose <see cref="LeadershipTerm.Term"/> (the node's czxid) only grows.</para>
/// <para>Connection blips shorter than the connection's ownership grace do not end leadership; when the grace runs
/// out, or the session is lost, the term ends at once (before the server can expire the session and let another
/// participant lead).</para>
/// </remarks>
public sealed class LeaderLatch : IAsyncDisposable
{
    private readonly IZooKeeperConnection _connection;
    private readonly ElectionParticipant _participant;

    /// <summary>Creates a latch; it takes part once started.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="path">The election's path, e.g. <c>/leader/orders</c> (created as a container if missing).</param>
    /// <param name="options">The participant id and retry delay; defaults when null.</param>
    public LeaderLatch(IZooKeeperConnection connection, string path, LeaderElectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        PathUtils.Validate(path);
        options ??= new LeaderElectionOptions();
        options.Validate();
        _connection = connection;
        _participant = new ElectionParticipant(
            connection,
            path,
            ElectionParticipant.LatchMarker,
            options,
            WaitForEndAsync,
            e => LeadershipChanged?.Invoke(this, e),
            connection.LoggerFactory.CreateLogger<LeaderLatch>());
    }

    /// <summary>The election's path.</summary>
    public string Path => _participant.Path;

    /// <summary>This participant's id (its node's data).</summary>
    public string ParticipantId => _participant.ParticipantId;

    /// <summary>Whether this latch leads now.</summary>
    public bool IsLeader => _participant.CurrentTerm is not null;

    /// <summary>The current term while leading; null otherwise.</summary>
    public LeadershipTerm? CurrentTerm => _participant.CurrentTerm;

    /// <summary>
    /// Raised when leadership is taken or ends, one event at a time, on the latch's own loop; the handler must be quick
    /// (exceptions are logged and swallowed).
    /// </summary>
    public event EventHandler<LeadershipChangedEventArgs>? LeadershipChanged;

    /// <summary>Starts taking part (in the background); returns at once. A latch can be started once.</summary>
    /// <param name="cancellationToken">Unused beyond an early check; the latch runs until stopped.</param>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _participant.Start();
        return Task.CompletedTask;
    }

    /// <summary>Ends leadership (the term's token fires), leaves the election and deletes this latch's node.</summary>
    /// <param name="cancellationToken">Stops waiting (the latch still stops).</param>
    public Task StopAsync(CancellationToken cancellationToken = default) => _participant.StopAsync(cancellationToken);

    /// <summary>
    /// Waits until this latch has joined the election, i.e. created its node (Curator's <c>getOurPath()</c> becoming
    /// non-null), and returns that node's path. Completes at once when it has joined already. Costs no server request.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="InvalidOperationException">The latch is not started, or stopped before it joined.</exception>
    public Task<string> WaitForJoinAsync(CancellationToken cancellationToken = default) =>
        _participant.WaitForJoinAsync(cancellationToken);

    /// <summary>Waits until this latch leads and returns the term; null when <paramref name="timeout"/> passes first.</summary>
    /// <param name="timeout">How long to wait at most; null to wait until leading.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="InvalidOperationException">The latch is not started, or was stopped while waiting.</exception>
    public Task<LeadershipTerm?> WaitForLeadershipAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _participant.WaitForTermAsync(timeout, cancellationToken);

    /// <summary>The leader (the first participant in line), or null when nobody takes part.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public async Task<Participant?> GetLeaderAsync(CancellationToken cancellationToken = default) =>
        (await GetParticipantsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>Every participant, first in line (the leader) first, with ids read from the nodes' data.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public Task<IReadOnlyList<Participant>> GetParticipantsAsync(CancellationToken cancellationToken = default) =>
        ParticipantReader.ReadAsync(_connection, Path, [ElectionParticipant.LatchMarker], cancellationToken);

    /// <inheritdoc cref="StopAsync"/>
    public ValueTask DisposeAsync() => _participant.DisposeAsync();

    /// <inheritdoc />
    public override string ToString() => $"LeaderLatch('{Path}', '{ParticipantId}'{(IsLeader ? ", leader" : "")})";

    private static async Task WaitForEndAsync(LeadershipTerm term)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (term.LostToken.Register(() => ended.TrySetResult()).ConfigureAwait(false))
        {
            await ended.Task.ConfigureAwait(false);
        }
    }
}
