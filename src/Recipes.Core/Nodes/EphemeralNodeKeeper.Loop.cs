using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

// The background loop: the only code that creates, adopts or deletes the keeper's nodes.
public sealed partial class EphemeralNodeKeeper
{
    private readonly HashSet<long> _ourSessionIds = [];

    // Set while a sequential create may have left a node we do not know the name of (a lost reply).
    private bool _uncertain;

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        var backoff = MinBackoff;
        try
        {
            while (await _signal.Reader.WaitToReadAsync(stop))
            {
                _signal.Reader.TryRead(out _);
                try
                {
                    await ReconcileAsync(stop);
                    backoff = MinBackoff;
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    if (e is ZooKeeperException { IsTransient: true } or SessionExpiredException or ObjectDisposedException)
                    {
                        _logger.LogDebug(e, "Keeping '{Path}' failed for now; retrying in {Delay}.", Path, backoff);
                    }
                    else
                    {
                        _logger.LogWarning(e, "Keeping '{Path}' failed; retrying in {Delay}.", Path, backoff);
                    }

                    await Task.Delay(backoff, _connection.TimeProvider, stop);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    Signal();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The keeper of '{Path}' stopped unexpectedly.", Path);
        }
    }

    /// <summary>One pass: make sure the node exists on the current session with the latest data.</summary>
    private async Task ReconcileAsync(CancellationToken stop)
    {
        var session = await _connection.WaitForSessionAsync(stop);
        var client = session.Client;
        var (data, dataVersion, appliedVersion) = SnapshotData();
        string? path;
        long nodeSessionId;
        lock (_lock)
        {
            path = _actualPath;
            nodeSessionId = _nodeSession?.SessionId ?? 0;
        }

        if (path is not null && nodeSessionId == session.SessionId)
        {
            // Our node on this session: check it is still there, re-arm the watch, apply newer data.
            var stat = await client.ExistsAsync(path, _watcher, stop);
            if (stat is not null && stat.EphemeralOwner == session.SessionId)
            {
                if (appliedVersion < dataVersion)
                {
                    await client.SetDataAsync(path, data, -1, stop);
                }

                Adopted(session, path, dataVersion, raiseEvent: false);
                return;
            }

            _logger.LogInformation("'{Path}' is gone; creating it again.", path);
            MarkNotCreated();
            if (IsSequential)
            {
                if (stat is null)
                {
                    // exists left a watch for a node that will never come back.
                    await RemoveWatchQuietlyAsync(client, path, stop);
                }

                Forget(path);
            }
        }
        else if (path is not null)
        {
            MarkNotCreated();
        }

        if (IsSequential)
        {
            await CreateSequentialAsync(session, data, dataVersion, stop);
        }
        else
        {
            await CreateAtFixedPathAsync(session, data, dataVersion, stop);
        }
    }

    private async Task CreateAtFixedPathAsync(ZooKeeperSession session, byte[]? data, long dataVersion, CancellationToken stop)
    {
        var client = session.Client;
        _ourSessionIds.Add(session.SessionId);
        try
        {
            var result = await NodeOperations.CreateWithParentsAsync(client, _createPath, data, CreateMode.Ephemeral, _acl, stop);
            await AdoptAsync(session, result.Path, dataVersion, stop);
            return;
        }
        catch (NodeExistsException)
        {
        }

        var stat = await client.ExistsAsync(_createPath, _watcher, stop);
        if (stat is null)
        {
            Signal();
            return;
        }

        if (stat.EphemeralOwner == session.SessionId)
        {
            // An earlier create on this session went through although its reply was lost.
            await AdoptExistingAsync(session, _createPath, data, dataVersion, stop);
            return;
        }

        if (IsProtected || _ourSessionIds.Contains(stat.EphemeralOwner))
        {
            _logger.LogInformation(
                "'{Path}' still belongs to our earlier session 0x{Owner:x}; deleting it to create it on {Session}.",
                _createPath, stat.EphemeralOwner, session);
            await DeleteQuietlyAsync(client, _createPath, stat.Version, stop);
            Signal();
            return;
        }

        // Someone else's node: the exists call above left a watch, and its deletion wakes us to create ours.
        _logger.LogInformation(
            "'{Path}' exists and is owned by session 0x{Owner:x}, not ours ({Session}); waiting for it to be deleted.",
            _createPath, stat.EphemeralOwner, session);
    }

    private async Task CreateSequentialAsync(ZooKeeperSession session, byte[]? data, long dataVersion, CancellationToken stop)
    {
        var client = session.Client;
        string? previous;
        long previousSessionId;
        lock (_lock)
        {
            previous = _actualPath;
            previousSessionId = _nodeSession?.SessionId ?? 0;
        }

        if (previous is not null)
        {
            // The node of an earlier session goes first, so there are never two (the server may not have expired it yet).
            var stat = await client.ExistsAsync(previous, null, stop);
            if (stat is not null && stat.EphemeralOwner == previousSessionId && previousSessionId != session.SessionId)
            {
                _logger.LogInformation("Deleting '{Path}' of our earlier session 0x{Owner:x} before creating the node on {Session}.", previous, previousSessionId, session);
                await DeleteQuietlyAsync(client, previous, stat.Version, stop);
            }

            Forget(previous);
            _uncertain = true;
        }

        if (IsProtected || _uncertain)
        {
            var found = await ScanAsync(session, stop);
            _uncertain = false;
            if (found is not null)
            {
                await AdoptExistingAsync(session, found, data, dataVersion, stop);
                return;
            }
        }

        _ourSessionIds.Add(session.SessionId);
        _uncertain = true;
        var result = await NodeOperations.CreateWithParentsAsync(client, _createPath, data, CreateMode.EphemeralSequential, _acl, stop);
        _uncertain = false;
        await AdoptAsync(session, result.Path, dataVersion, stop);
    }

    /// <summary>
    /// Lists the parent for nodes this keeper may have left: returns the first one the current session owns (created by
    /// a create whose reply was lost) and deletes the others of ours — duplicates and nodes of earlier sessions.
    /// </summary>
    private async Task<string?> ScanAsync(ZooKeeperSession session, CancellationToken stop)
    {
        var client = session.Client;
        IReadOnlyList<string> children;
        try
        {
            children = (await client.GetChildrenAsync(_parentPath, null, stop)).Children;
        }
        catch (NoNodeException)
        {
            return null;
        }

        string? found = null;
        foreach (var name in children.Where(IsOurSequentialName).Order(StringComparer.Ordinal))
        {
            var path = _parentPath == "/" ? "/" + name : _parentPath + "/" + name;
            if (!IsProtected && IsClaimedByOther(path))
            {
                continue;
            }

            var stat = await client.ExistsAsync(path, null, stop);
            if (stat is null)
            {
                continue;
            }

            if (stat.EphemeralOwner == session.SessionId && found is null)
            {
                found = path;
            }
            else if (stat.EphemeralOwner == session.SessionId
                || (stat.EphemeralOwner != 0 && (IsProtected || _ourSessionIds.Contains(stat.EphemeralOwner))))
            {
                _logger.LogInformation("Deleting '{Path}' (session 0x{Owner:x}): a duplicate or stale node of this keeper.", path, stat.EphemeralOwner);
                await DeleteQuietlyAsync(client, path, stat.Version, stop);
            }
        }

        return found;
    }

    /// <summary>Whether a child name is <c>&lt;base name&gt;&lt;sequence&gt;</c>.</summary>
    private bool IsOurSequentialName(string name)
    {
        if (!name.StartsWith(_baseName, StringComparison.Ordinal))
        {
            return false;
        }

        var sequence = name.AsSpan(_baseName.Length);
        if (sequence.Length > 0 && sequence[0] == '-')
        {
            sequence = sequence[1..];
        }

        return sequence.Length >= 10 && !sequence.ContainsAnyExceptInRange('0', '9');
    }

    private async Task AdoptExistingAsync(ZooKeeperSession session, string path, byte[]? data, long dataVersion, CancellationToken stop)
    {
        var current = await session.Client.GetDataAsync(path, null, stop);
        if (!(current.Data ?? []).AsSpan().SequenceEqual(data ?? []))
        {
            await session.Client.SetDataAsync(path, data, -1, stop);
        }

        _logger.LogDebug("Adopted '{Path}', created on {Session} before a reply was lost.", path, session);
        await AdoptAsync(session, path, dataVersion, stop);
    }

    private async Task AdoptAsync(ZooKeeperSession session, string path, long dataVersion, CancellationToken stop)
    {
        Claim(path);
        lock (_lock)
        {
            _actualPath = path;
            _nodeSession = session;
        }

        // The watch that tells us when the node goes.
        var stat = await session.Client.ExistsAsync(path, _watcher, stop);
        if (stat is null || stat.EphemeralOwner != session.SessionId)
        {
            Signal();
            return;
        }

        Adopted(session, path, dataVersion, raiseEvent: true);
    }

    /// <summary>Records that the node exists on <paramref name="session"/> with data version <paramref name="dataVersion"/>.</summary>
    private void Adopted(ZooKeeperSession session, string path, long dataVersion, bool raiseEvent)
    {
        List<TaskCompletionSource> applied = [];
        TaskCompletionSource created;
        lock (_lock)
        {
            _nodeSession = session;
            _appliedDataVersion = Math.Max(_appliedDataVersion, dataVersion);
            for (var i = _dataWaiters.Count - 1; i >= 0; i--)
            {
                if (_dataWaiters[i].Version <= _appliedDataVersion)
                {
                    applied.Add(_dataWaiters[i].Applied);
                    _dataWaiters.RemoveAt(i);
                }
            }

            created = _created;
        }

        foreach (var waiter in applied)
        {
            waiter.TrySetResult();
        }

        if (raiseEvent)
        {
            // Handlers run before WaitForCreatedAsync returns, so a caller that waited has seen the event.
            _logger.LogInformation("'{Path}' exists on {Session}.", path, session);
            try
            {
                NodeCreated?.Invoke(this, path);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "A NodeCreated handler of the keeper of '{Path}' threw.", Path);
            }
        }

        created.TrySetResult();
    }

    private void Forget(string path)
    {
        Unclaim(path);
        lock (_lock)
        {
            if (string.Equals(_actualPath, path, StringComparison.Ordinal))
            {
                _actualPath = null;
                _nodeSession = null;
            }
        }
    }

    private (byte[]? Data, long Version, long Applied) SnapshotData()
    {
        lock (_lock)
        {
            return (_data, _dataVersion, _appliedDataVersion);
        }
    }

    private static async Task DeleteQuietlyAsync(IZooKeeperClient client, string path, int version, CancellationToken stop)
    {
        try
        {
            await client.DeleteAsync(path, version, stop);
        }
        catch (Exception e) when (e is NoNodeException or BadVersionException)
        {
            // Gone already, or changed: the next pass looks again.
        }
    }

    private async Task RemoveWatchQuietlyAsync(IZooKeeperClient client, string path, CancellationToken stop)
    {
        try
        {
            await client.RemoveWatchesAsync(path, _watcher, WatcherType.Data, local: false, stop);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogTrace(e, "Removing the watch on '{Path}' failed.", path);
        }
    }
}
