using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper;

namespace Recipes.Core;

/// <summary>
/// The engine behind <see cref="IZooKeeperConnection.DeleteGuaranteed"/>: each enqueued path is deleted by its own
/// background loop, retried with backoff (100 ms doubling to 5 s, and at once when the connection comes back) until
/// the delete succeeds, the node is gone, the given session ends, or the deleter is disposed.
/// </summary>
/// <remarks>
/// <para>
/// With a session, the delete runs on that session's client and only while that client is the connection's current
/// one: once the session is replaced or its client has ended, the server deletes (or has deleted) the session's
/// ephemeral nodes itself. The node is deleted only while its <c>ephemeralOwner</c> is that session (a conditional
/// delete on the version just read), so a node someone else created at the same path meanwhile is never removed.
/// </para>
/// <para>Without a session, the delete runs on whatever session is current, unconditionally.</para>
/// </remarks>
internal sealed class GuaranteedDeleter : IAsyncDisposable
{
    private static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly IZooKeeperConnection _connection;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<long, Task> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _wakeLock = new();
    private TaskCompletionSource _wake = NewSignal();
    private long _nextId;
    private int _disposed;

    /// <summary>Creates a deleter for <paramref name="connection"/>; it listens to its state changes to retry at once on reconnection.</summary>
    public GuaranteedDeleter(IZooKeeperConnection connection, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _connection = connection;
        _logger = logger;
        _timeProvider = timeProvider;
        _connection.StateChanged += OnStateChanged;
    }

    /// <summary>The number of deletes still being retried.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Starts deleting <paramref name="path"/> in the background; see the class remarks for when it stops.</summary>
    /// <param name="path">The node to delete.</param>
    /// <param name="session">The session that owns the node, or null to delete it on whatever session is current.</param>
    public void Enqueue(string path, ZooKeeperSession? session)
    {
        PathUtils.Validate(path);
        if (Volatile.Read(ref _disposed) != 0)
        {
            _logger.LogDebug("Not deleting '{Path}': the connection is being disposed (its session's ephemeral nodes go with it).", path);
            return;
        }

        var id = Interlocked.Increment(ref _nextId);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = RunAsync(id, path, session, start.Task);
        _pending[id] = task;
        start.SetResult();
    }

    /// <summary>Waits until no delete is pending (true), or <paramref name="timeout"/> passes (false).</summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait (not the deletes).</param>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = _timeProvider.GetTimestamp();
        while (true)
        {
            var tasks = _pending.Values.ToArray();
            if (tasks.Length == 0)
            {
                return true;
            }

            var remaining = timeout - _timeProvider.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await Task.WhenAll(tasks).WaitAsync(remaining, _timeProvider, cancellationToken);
            }
            catch (TimeoutException)
            {
                return _pending.IsEmpty;
            }
        }
    }

    /// <summary>Stops every retry loop (pending deletes are abandoned) and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connection.StateChanged -= OnStateChanged;
        var abandoned = _pending.Count;
        await _stopping.CancelAsync();
        Wake();
        await Task.WhenAll(_pending.Values.ToArray());
        if (abandoned > 0)
        {
            _logger.LogDebug("Stopped {Count} pending guaranteed delete(s) on disposal.", abandoned);
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State.IsConnected())
        {
            Wake();
        }
    }

    private void Wake()
    {
        TaskCompletionSource wake;
        lock (_wakeLock)
        {
            wake = _wake;
            _wake = NewSignal();
        }

        wake.TrySetResult();
    }

    private async Task RunAsync(long id, string path, ZooKeeperSession? session, Task started)
    {
        await started;
        var stopping = _stopping.Token;
        var delay = MinDelay;
        try
        {
            for (var attempt = 1; !stopping.IsCancellationRequested; attempt++)
            {
                Task wake;
                lock (_wakeLock)
                {
                    wake = _wake.Task;
                }

                var client = ClientFor(path, session, out var done);
                if (done)
                {
                    return;
                }

                if (client is not null)
                {
                    try
                    {
                        if (await TryDeleteAsync(client, path, session, stopping))
                        {
                            return;
                        }

                        continue;
                    }
                    catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (NoNodeException)
                    {
                        return;
                    }
                    catch (Exception e) when (e is NotEmptyException or NoAuthException or BadArgumentsException)
                    {
                        _logger.LogWarning(e, "Giving up deleting '{Path}': {Error}.", path, e.Message);
                        return;
                    }
                    catch (Exception e) when (session is not null && SessionRetry.IsSessionGone(e))
                    {
                        _logger.LogDebug("Not deleting '{Path}' any more: {Session} has ended, which removes its ephemeral nodes.", path, session);
                        return;
                    }
                    catch (Exception e)
                    {
                        _logger.LogDebug(e, "Deleting '{Path}' failed (attempt {Attempt}); retrying in {Delay}.", path, attempt, delay);
                    }
                }

                await Task.WhenAny(Task.Delay(delay, _timeProvider, stopping), wake);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }

            _logger.LogDebug("Abandoned the guaranteed delete of '{Path}' on disposal.", path);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "The guaranteed delete of '{Path}' failed unexpectedly.", path);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>The client to delete with now (null: wait), or <paramref name="done"/> when the delete is no longer needed.</summary>
    private IZooKeeperClient? ClientFor(string path, ZooKeeperSession? session, out bool done)
    {
        done = false;
        var current = _connection.CurrentSession;
        if (session is null)
        {
            return current?.Client;
        }

        if (session.Client.State.IsTerminal() || (current is not null && !ReferenceEquals(current.Client, session.Client)))
        {
            _logger.LogDebug("Not deleting '{Path}' any more: {Session} is no longer the connection's session, so the server removes its ephemeral nodes.", path, session);
            done = true;
            return null;
        }

        return session.Client;
    }

    /// <summary>One attempt; true when finished, false to try again at once (the node changed under us).</summary>
    private async Task<bool> TryDeleteAsync(IZooKeeperClient client, string path, ZooKeeperSession? session, CancellationToken cancellationToken)
    {
        if (session is null)
        {
            await client.DeleteAsync(path, -1, cancellationToken);
            _logger.LogDebug("Deleted '{Path}' (guaranteed delete).", path);
            return true;
        }

        var stat = await client.ExistsAsync(path, null, cancellationToken);
        if (stat is null)
        {
            return true;
        }

        if (stat.EphemeralOwner != session.SessionId)
        {
            _logger.LogDebug("Not deleting '{Path}': it is owned by session 0x{Owner:x}, not {Session}.", path, stat.EphemeralOwner, session);
            return true;
        }

        try
        {
            await client.DeleteAsync(path, stat.Version, cancellationToken);
            _logger.LogDebug("Deleted '{Path}' (guaranteed delete).", path);
            return true;
        }
        catch (BadVersionException)
        {
            return false;
        }
    }
}
