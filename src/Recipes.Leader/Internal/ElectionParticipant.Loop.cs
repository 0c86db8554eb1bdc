using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Leader.Internal;

// The participant loop: node in line, wait for the turn, lead, and what to do with the node afterwards.
internal sealed partial class ElectionParticipant
{
    private static readonly Func<IReadOnlyList<string>, int, QueueDecision> First = SequentialNodeQueue.WithinFirst(1);
    private static readonly TimeSpan DeleteBound = TimeSpan.FromSeconds(5);

    private async Task RunAsync(CancellationToken stop)
    {
        QueueEntry? entry = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var session = _connection.CurrentSession is { IsOwnershipLost: false } current && _connection.State.IsConnected()
                        ? current
                        : await _connection.WaitForSessionAsync(stop).ConfigureAwait(false);
                    entry = await PrepareEntryAsync(entry, session, stop).ConfigureAwait(false);
                    var result = await _queue.WaitForTurnAsync(entry, First, null, stop).ConfigureAwait(false);
                    switch (result.Outcome)
                    {
                        case QueueOutcome.Granted:
                            entry = await LeadAsync(entry, stop).ConfigureAwait(false);
                            break;
                        case QueueOutcome.NodeLost:
                            _logger.LogInformation("Our node '{Node}' in '{Path}' is gone; joining again with a new node.", entry.Node.Path, Path);
                            entry = null;
                            break;
                        default:
                            // Ownership given up: keep the node; it is re-checked under the next trusted session.
                            _logger.LogDebug("Waiting in '{Path}' ended: {Outcome}.", Path, result.Outcome);
                            break;
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    _logger.LogWarning(e, "Taking part in the election '{Path}' failed; trying again in {Delay}.", Path, _retryDelay);
                    try
                    {
                        await Task.Delay(_retryDelay, _connection.TimeProvider, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            if (entry is not null)
            {
                await RemoveNodeAsync(entry.Node).ConfigureAwait(false);
            }

            SignalJoinEnded();
        }
    }

    /// <summary>
    /// Our place in line under <paramref name="session"/>: the previous entry if it is of this session; its node again
    /// if this session still owns it (re-checked by the watch's first read after ownership was given up and the same
    /// session came back); otherwise a new node (the old one is deleted).
    /// </summary>
    private async Task<QueueEntry> PrepareEntryAsync(QueueEntry? entry, ZooKeeperSession session, CancellationToken stop)
    {
        if (entry is not null)
        {
            if (ReferenceEquals(entry.Node.Session, session) && !entry.Watch.IsLost)
            {
                return entry;
            }

            if (entry.Node.Session.SessionId == session.SessionId)
            {
                var resumed = _queue.Resume(entry.Node with { Session = session });
                if (await resumed.Watch.Confirmed.WaitAsync(stop).ConfigureAwait(false))
                {
                    _logger.LogInformation("Session 0x{Session:x} still owns '{Node}'; keeping our place in '{Path}'.", session.SessionId, entry.Node.Path, Path);
                    return resumed;
                }
            }

            _connection.DeleteGuaranteed(entry.Node.Path, entry.Node.Session);
        }

        var joined = await _queue.JoinAsync(Marker, _data, session, stop).ConfigureAwait(false);
        _logger.LogDebug("Joined '{Path}' as '{Node}' (czxid {Czxid}).", Path, joined.Node.Name, joined.Node.Czxid);
        SignalJoined(joined.Node.Path);
        return joined;
    }

    /// <summary>
    /// Leads until the term ends, and returns the entry to keep for the next round: the same one when ownership was
    /// given up (re-checked later) or when stopping (removed on the way out), null when it is gone or released.
    /// </summary>
    private async Task<QueueEntry?> LeadAsync(QueueEntry entry, CancellationToken stop)
    {
        var node = entry.Node;
        var session = node.Session;

        // The entry's watch on our node (set when joining) ends the term if someone else deletes the node: no request here.
        using var termEnd = CancellationTokenSource.CreateLinkedTokenSource(session.OwnershipLostToken, stop, entry.Watch.LostToken);
        var term = new LeadershipTerm(Path, node.Path, ParticipantId, node.Czxid, session.SessionId, termEnd.Token);
        if (termEnd.IsCancellationRequested)
        {
            return Next(entry, stop);
        }

        Publish(term, isLeader: true);
        try
        {
            await _termBody(term).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (termEnd.IsCancellationRequested)
        {
            // The body honoured the end of the term.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The leadership callback of '{Path}' failed; leaving the line and joining again.", Path);
        }
        finally
        {
            TryCancel(termEnd);
            Publish(term, isLeader: false);
        }

        if (entry.Watch.IsLost && !stop.IsCancellationRequested)
        {
            _logger.LogWarning("Our leader node '{Node}' was deleted or changed owner; the term ended.", node.Path);
        }

        return Next(entry, stop);
    }

    private QueueEntry? Next(QueueEntry entry, CancellationToken stop)
    {
        var node = entry.Node;
        if (stop.IsCancellationRequested || node.Session.IsOwnershipLost)
        {
            return entry;
        }

        if (!entry.Watch.IsLost)
        {
            // The body returned on its own: resign, so the others get their turn; we join again at the end of the line.
            _connection.DeleteGuaranteed(node.Path, node.Session);
        }

        return null;
    }

    /// <summary>Deletes our node on the way out: at once if possible, otherwise in the background until it is gone.</summary>
    private async Task RemoveNodeAsync(SequentialNode node)
    {
        if (!node.Session.IsOwnershipLost || node.Session.SessionId == _connection.CurrentSession?.SessionId)
        {
            using var bound = new CancellationTokenSource(DeleteBound, _connection.TimeProvider);
            try
            {
                await _connection.ExecuteAsync(
                    async (client, ct) =>
                    {
                        await client.DeleteAsync(node.Path, -1, ct).ConfigureAwait(false);
                        return true;
                    },
                    bound.Token).ConfigureAwait(false);
                _logger.LogDebug("Left '{Path}': deleted '{Node}'.", Path, node.Name);
                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogDebug(e, "Deleting '{Node}' failed; deleting it in the background.", node.Path);
            }
        }

        _connection.DeleteGuaranteed(node.Path, node.Session);
    }

    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The term is over already.
        }
    }
}
