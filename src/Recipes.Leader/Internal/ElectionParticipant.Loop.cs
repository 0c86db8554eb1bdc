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
        SequentialNode? node = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var session = await _connection.WaitForSessionAsync(stop).ConfigureAwait(false);
                    node = await PrepareNodeAsync(node, session, stop).ConfigureAwait(false);
                    var result = await _queue.WaitForTurnAsync(node, First, null, stop).ConfigureAwait(false);
                    switch (result.Outcome)
                    {
                        case QueueOutcome.Granted:
                            node = await LeadAsync(node, stop).ConfigureAwait(false);
                            break;
                        case QueueOutcome.NodeLost:
                            _logger.LogInformation("Our node '{Node}' in '{Path}' is gone; joining again with a new node.", node.Path, Path);
                            node = null;
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
            if (node is not null)
            {
                await RemoveNodeAsync(node).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The node to wait with under <paramref name="session"/>: the previous one if this session still owns it (re-check
    /// after ownership was given up, or after a connection blip), otherwise a new one (the old one is deleted).
    /// </summary>
    private async Task<SequentialNode> PrepareNodeAsync(SequentialNode? node, ZooKeeperSession session, CancellationToken stop)
    {
        if (node is not null)
        {
            if (ReferenceEquals(node.Session, session))
            {
                return node;
            }

            if (node.Session.SessionId == session.SessionId && await _connection.IsOwnedByAsync(node.Path, session, stop).ConfigureAwait(false))
            {
                _logger.LogInformation("Session 0x{Session:x} still owns '{Node}'; keeping our place in '{Path}'.", session.SessionId, node.Path, Path);
                return node with { Session = session };
            }

            _connection.DeleteGuaranteed(node.Path, node.Session);
        }

        var created = await _connection.CreateProtectedSequentialAsync(Path, Marker, _data, session, stop).ConfigureAwait(false);
        _logger.LogDebug("Joined '{Path}' as '{Node}' (czxid {Czxid}).", Path, created.Name, created.Czxid);
        return created;
    }

    /// <summary>
    /// Leads until the term ends, and returns the node to keep for the next round: the same node when ownership was
    /// given up (re-checked later) or when stopping (removed on the way out), null when it is gone or released.
    /// </summary>
    private async Task<SequentialNode?> LeadAsync(SequentialNode node, CancellationToken stop)
    {
        var session = node.Session;
        using var termEnd = CancellationTokenSource.CreateLinkedTokenSource(session.OwnershipLostToken, stop);
        var term = new LeadershipTerm(Path, node.Path, ParticipantId, node.Czxid, session.SessionId, termEnd.Token);
        var nodeGone = false;
        var watcher = new NodeWatcher(_connection, node.Path);
        try
        {
            await watcher.StartAsync(termEnd.Token).ConfigureAwait(false);
            var gone = watcher.WaitForChangeAsync(n => n is null || n.Stat.EphemeralOwner != session.SessionId, termEnd.Token);
            _ = gone.ContinueWith(
                t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        nodeGone = true;
                        _logger.LogWarning("Our leader node '{Node}' was deleted or changed owner; ending the term.", node.Path);
                        TryCancel(termEnd);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

            if (termEnd.IsCancellationRequested)
            {
                return Next(node, stop, nodeGone);
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

            return Next(node, stop, nodeGone);
        }
        catch (OperationCanceledException) when (termEnd.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            // Lost before the term began (while arming the watch).
            return Next(node, stop, nodeGone);
        }
        finally
        {
            await watcher.DisposeAsync().ConfigureAwait(false);
        }
    }

    private SequentialNode? Next(SequentialNode node, CancellationToken stop, bool nodeGone)
    {
        if (stop.IsCancellationRequested || node.Session.IsOwnershipLost)
        {
            return node;
        }

        if (!nodeGone)
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
