using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper.Internal;
using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper;

// Notifications: fan out to the local watchers; persistent watches; watch removal.
public sealed partial class ZooKeeperClient
{
    private void HandleNotification(ref JuteReader reader)
    {
        var raw = WatcherEvent.Read(ref reader);
        var path = _chroot.ToClient(raw.Path);
        var watchers = _watches.Materialize(raw.Type, path, out var orphan);
        Deliver(watchers, new WatchedEvent(raw.Type, raw.State, path));
        if (raw.Type is EventType.NodeCreated or EventType.NodeDeleted)
        {
            var emulated = _watches.MaterializeEmulatedChildEvent(path, out var parent, out var parentOrphan);
            if (emulated.Count > 0)
            {
                Deliver(emulated, new WatchedEvent(EventType.NodeChildrenChanged, raw.State, parent));
            }

            if (parentOrphan is not null)
            {
                RemoveServerWatchInBackground(parentOrphan, WatcherType.Any);
            }
        }

        if (orphan is not null)
        {
            RemoveServerWatchInBackground(orphan, WatcherType.Any);
        }
    }

    /// <summary>Calls the <see cref="IReadLoopWatcher"/>s here, on the read loop, and hands the others to the dispatcher.</summary>
    private void Deliver(List<IWatcher> watchers, WatchedEvent @event)
    {
        List<IWatcher>? dispatched = null; // null while every watcher so far goes to the dispatcher
        for (var i = 0; i < watchers.Count; i++)
        {
            if (watchers[i] is not IReadLoopWatcher readLoopWatcher)
            {
                dispatched?.Add(watchers[i]);
                continue;
            }

            dispatched ??= watchers.GetRange(0, i);
            try
            {
                readLoopWatcher.Process(@event);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "A read-loop watcher threw while handling {Event}; the exception was swallowed.", @event);
            }
        }

        _dispatcher.Post(dispatched ?? watchers, @event);
    }

    /// <inheritdoc />
    public Task AddWatchAsync(string path, IWatcher watcher, AddWatchMode mode, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        ArgumentNullException.ThrowIfNull(watcher);
        if (mode is not AddWatchMode.Persistent and not AddWatchMode.PersistentRecursive)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown watch mode.");
        }

        var kind = mode == AddWatchMode.Persistent ? WatchKind.Persistent : WatchKind.PersistentRecursive;
        return Send(
            OpCode.AddWatch,
            new PathTypeRequest(_chroot.ToServer(path), (int)mode),
            path,
            static (ref JuteReader _, Request<bool> _, ReplyContext _) => true,
            new WatchRegistration(kind, path, watcher),
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task RemoveWatchesAsync(string path, IWatcher? watcher, WatcherType type, bool local = false, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        if (type is not WatcherType.Children and not WatcherType.Data and not WatcherType.Any)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown watcher type.");
        }

        var (removed, removeOnServer) = _watches.Remove(path, watcher, type);
        if (removed.Count == 0)
        {
            throw new NoWatcherException(path, $"No {type} watcher{(watcher is null ? "" : " matching the given one")} is registered on '{path}'.");
        }

        foreach (var group in removed.GroupBy(r => r.Kind))
        {
            var eventType = group.Key switch
            {
                WatchKind.Child => EventType.ChildWatchRemoved,
                WatchKind.Persistent or WatchKind.PersistentRecursive => EventType.PersistentWatchRemoved,
                _ => EventType.DataWatchRemoved,
            };
            _dispatcher.Post(group.Select(r => r.Watcher).Distinct().ToList(), new WatchedEvent(eventType, KeeperState.SyncConnected, path));
        }

        if (!removeOnServer || local)
        {
            return;
        }

        // With nothing left on the path, remove every kind on the server (a kept persistent watch included).
        var serverType = _watches.HasWatchers(path) ? type : WatcherType.Any;
        try
        {
            await SendRemoveWatches(path, serverType, cancellationToken).ConfigureAwait(false);
        }
        catch (NoWatcherException)
        {
            // The server's watch had already fired (or was local only): nothing left to remove.
        }
    }

    private Task<bool> SendRemoveWatches(string path, WatcherType type, CancellationToken cancellationToken) =>
        Send(
            OpCode.RemoveWatches,
            new PathTypeRequest(_chroot.ToServer(path), (int)type),
            path,
            static (ref JuteReader _, Request<bool> _, ReplyContext _) => true,
            null,
            cancellationToken);

    private void RemoveServerWatchInBackground(string path, WatcherType type)
    {
        _ = SendRemoveWatches(path, type, CancellationToken.None).ContinueWith(
            static (t, state) =>
            {
                var (logger, path) = ((ILogger, string))state!;
                if (t.Exception?.GetBaseException() is { } e and not NoWatcherException)
                {
                    logger.LogDebug(e, "Removing the no longer needed persistent watch on '{Path}' failed.", path);
                }
            },
            (_logger, path),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    /// <summary>The watch to register for a one-shot request, and whether the server must set it.</summary>
    private (WatchRegistration? Registration, bool ServerWatch) OneShot(WatchKind kind, string path, IWatcher? watcher)
    {
        if (watcher is null)
        {
            return (null, false);
        }

        // A one-shot watch where a persistent one already is would downgrade it on a 3.8 server: serve it locally.
        return (new WatchRegistration(kind, path, watcher), !_watches.ServedByPersistent(path));
    }
}
