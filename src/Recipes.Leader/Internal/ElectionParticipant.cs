using System.Text;
using Microsoft.Extensions.Logging;
using Recipes.Core;

namespace Recipes.Leader.Internal;

/// <summary>
/// The participant loop shared by <see cref="LeaderLatch"/> and <see cref="LeaderSelector"/>: keep one protected
/// sequential node in line, and run a term body while it is first and owned by a trusted session.
/// </summary>
/// <remarks>
/// Suspended connections are left to Core: a term ends only when the session's ownership token fires, the node goes,
/// the body returns (resign) or the participant stops. After ownership was given up under a session that survives,
/// the node is re-checked and kept if the new trusted session still owns it; otherwise a new node is created.
/// </remarks>
internal sealed partial class ElectionParticipant : IAsyncDisposable
{
    public const string LatchMarker = "latch-";
    public const string SelectorMarker = "lock-";

    private readonly IZooKeeperConnection _connection;
    private readonly SequentialNodeQueue _queue;
    private readonly byte[] _data;
    private readonly TimeSpan _retryDelay;
    private readonly Func<LeadershipTerm, Task> _termBody;
    private readonly Action<LeadershipChangedEventArgs> _changed;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private LeadershipTerm? _term;
    private TaskCompletionSource<LeadershipTerm> _granted = NewGrantSignal();
    private readonly TaskCompletionSource<string> _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ElectionParticipant(
        IZooKeeperConnection connection,
        string path,
        string marker,
        LeaderElectionOptions options,
        Func<LeadershipTerm, Task> termBody,
        Action<LeadershipChangedEventArgs> changed,
        ILogger logger)
    {
        _connection = connection;
        Path = path;
        Marker = marker;
        ParticipantId = options.ParticipantId;
        _data = Encoding.UTF8.GetBytes(options.ParticipantId);
        _retryDelay = options.RetryDelay;
        // First in line leads: WithinFirst(1) looks only ahead of our node, so a deleted predecessor hands over without a listing.
        _queue = new SequentialNodeQueue(connection, path, marker) { PredecessorsOnly = true };
        _termBody = termBody;
        _changed = changed;
        _logger = logger;
    }

    public string Path { get; }

    public string Marker { get; }

    public string ParticipantId { get; }

    public LeadershipTerm? CurrentTerm
    {
        get
        {
            lock (_lock)
            {
                return _term is { IsLost: false } term ? term : null;
            }
        }
    }

    public bool IsStarted
    {
        get
        {
            lock (_lock)
            {
                return _stop is { IsCancellationRequested: false };
            }
        }
    }

    public void Start()
    {
        lock (_lock)
        {
            if (_loop is not null)
            {
                throw new InvalidOperationException($"The participant in '{Path}' was already started; create a new one to take part again.");
            }

            _stop = new CancellationTokenSource();
            var token = _stop.Token;
            _loop = Task.Run(() => RunAsync(token), CancellationToken.None);
        }
    }

    /// <summary>Ends the current term (if any), leaves the line and removes the node; waits for the body to return.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
            _stop?.Cancel();
        }

        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stop?.Dispose();
    }

    /// <summary>Waits for a term that has not ended yet; null on timeout.</summary>
    public async Task<LeadershipTerm?> WaitForTermAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        Task<LeadershipTerm> granted;
        CancellationToken stopping;
        lock (_lock)
        {
            if (_stop is null || _stop.IsCancellationRequested)
            {
                throw new InvalidOperationException($"The participant in '{Path}' is not started.");
            }

            if (_term is { IsLost: false } current)
            {
                return current;
            }

            granted = _granted.Task;
            stopping = _stop.Token;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        try
        {
            return timeout is { } t && t != Timeout.InfiniteTimeSpan
                ? await granted.WaitAsync(t, _connection.TimeProvider, linked.Token).ConfigureAwait(false)
                : await granted.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The participant in '{Path}' was stopped while waiting for leadership.");
        }
    }

    /// <summary>Completes with our node's path once the participant first has a node in line.</summary>
    public async Task<string> WaitForJoinAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_loop is null)
            {
                throw new InvalidOperationException($"The participant in '{Path}' is not started.");
            }
        }

        return await _joined.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void SignalJoined(string nodePath) => _joined.TrySetResult(nodePath);

    private void SignalJoinEnded()
    {
        if (_joined.TrySetException(new InvalidOperationException($"The participant in '{Path}' stopped before it joined the election.")))
        {
            _ = _joined.Task.Exception; // observed: nobody may be waiting
        }
    }

    private static TaskCompletionSource<LeadershipTerm> NewGrantSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Publish(LeadershipTerm term, bool isLeader)
    {
        lock (_lock)
        {
            if (isLeader)
            {
                _term = term;
                _granted.TrySetResult(term);
            }
            else if (ReferenceEquals(_term, term))
            {
                _term = null;
                if (_granted.Task.IsCompleted)
                {
                    _granted = NewGrantSignal();
                }
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(isLeader ? "Took leadership of '{Path}' ({Term})." : "Leadership of '{Path}' ended ({Term}).", Path, term);
        }

        try
        {
            _changed(new LeadershipChangedEventArgs(isLeader, term));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A LeadershipChanged handler for '{Path}' threw.", Path);
        }
    }
}
