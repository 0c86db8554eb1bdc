using System.Text;
using Recipes.Core;
using Recipes.Leader;
using Recipes.Locks;

namespace Recipes.Cli.Demo;

/// <summary>
/// One in-process worker with its own connection (so its own ZooKeeper session): it takes part in the election
/// with a <see cref="LeaderLatch"/> and, in a loop, takes its turn on a <see cref="ZooKeeperMutex"/>, writing to the
/// fenced store with its fencing token while it holds the lock. It reports what it believes to the referee.
/// </summary>
internal sealed class DemoWorker : IAsyncDisposable
{
    private static readonly TimeSpan HoldTime = TimeSpan.FromMilliseconds(450);
    private static readonly TimeSpan PauseBetweenTurns = TimeSpan.FromMilliseconds(150);

    private readonly DemoContext _demo;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IAsyncDisposable> _features = [];
    private ZooKeeperConnection? _connection;
    private LeaderLatch? _latch;
    private Task _lockLoop = Task.CompletedTask;

    public DemoWorker(DemoContext demo, string name)
    {
        _demo = demo;
        Name = name;
    }

    public string Name { get; }

    public IZooKeeperConnection Connection => _connection ?? throw new InvalidOperationException($"{Name} has not started.");

    /// <summary>The current session id (0 between sessions).</summary>
    public long SessionId => _connection?.CurrentSession?.SessionId ?? 0;

    /// <summary>How many times this worker was granted the lock.</summary>
    public int Turns { get; private set; }

    public async Task StartAsync(ZooKeeperConnectionOptions options, IReadOnlyList<IDemoWorkerFeature> features, CancellationToken cancellationToken)
    {
        _connection = await ZooKeeperConnection.StartAsync(options, cancellationToken);
        _connection.StateChanged += OnStateChanged;
        _demo.Narrator.Say($"{Name} connected: session 0x{SessionId:x}");
        foreach (var feature in features)
        {
            _features.Add(await feature.AttachAsync(this, cancellationToken));
        }

        _latch = new LeaderLatch(_connection, _demo.LeaderPath, new LeaderElectionOptions { ParticipantId = Name });
        _latch.LeadershipChanged += OnLeadershipChanged;
        await _latch.StartAsync(cancellationToken);
        _lockLoop = Task.Run(() => LockLoopAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _lockLoop;
        if (_latch is not null)
        {
            await _latch.DisposeAsync();
        }

        foreach (var feature in _features)
        {
            await feature.DisposeAsync();
        }

        if (_connection is not null)
        {
            _connection.StateChanged -= OnStateChanged;
            await _connection.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task LockLoopAsync(CancellationToken stop)
    {
        var mutex = new ZooKeeperMutex(Connection, _demo.LockPath, Encoding.UTF8.GetBytes(Name));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await TakeTurnAsync(mutex, stop);
                await Task.Delay(PauseBetweenTurns, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Session trouble (e.g. our session was just killed): wait for the connection to recover and queue again.
                _demo.Narrator.Detail($"{Name}: {e.GetType().Name}: {e.Message} (queueing again)");
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(300), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task TakeTurnAsync(ZooKeeperMutex mutex, CancellationToken stop)
    {
        var handle = await mutex.AcquireAsync(null, stop);
        var token = handle.FencingToken;
        var session = SessionId;
        try
        {
            _demo.Referee.LockGranted(Name, token, session);
            Turns++;
            _demo.Narrator.Say($"LOCK    {Name} holds the lock, fencing token {token}");
            using var lost = handle.LostToken.Register(() =>
            {
                _demo.Referee.LockEnded(Name, token);
                _demo.Narrator.Say($"LOST    {Name} learned it lost the lock (fencing token {token}): its LostToken fired");
            });
            using var work = CancellationTokenSource.CreateLinkedTokenSource(stop, handle.LostToken);
            for (var write = 0; write < 3; write++)
            {
                // A real holder writes with its token; the store, not the holder, has the last word.
                var (accepted, highest) = _demo.Store.Write(token);
                if (!accepted)
                {
                    _demo.Narrator.Say($"FENCED  the store rejected {Name}'s write with stale token {token} (it has seen {highest})");
                }

                try
                {
                    await Task.Delay(HoldTime / 3, work.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    break; // the lock is lost: stop working at once
                }
            }
        }
        finally
        {
            // Tell the referee before the node goes, so the next holder is never reported before our release.
            _demo.Referee.LockEnded(Name, token);
            await handle.DisposeAsync();
        }
    }

    private void OnLeadershipChanged(object? sender, LeadershipChangedEventArgs e)
    {
        var term = e.Term;
        if (!e.IsLeader)
        {
            _demo.Referee.LeaderEnded(Name, term.Term);
            return;
        }

        _demo.Referee.LeaderStarted(Name, term.Term, term.SessionId);
        _demo.Narrator.Say($"LEADER  {Name} is the leader (term {term.Term}, session 0x{term.SessionId:x})");
        term.LostToken.Register(() =>
        {
            _demo.Referee.LeaderEnded(Name, term.Term);
            if (!_stop.IsCancellationRequested)
            {
                _demo.Narrator.Say($"LOST    {Name} is no longer the leader (term {term.Term} ended)");
            }
        });
    }

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        switch (change.State)
        {
            case ConnectionState.Lost:
                _demo.Narrator.Say($"SESSION {Name} learned its session 0x{change.SessionId:x} is gone (Lost)");
                break;
            case ConnectionState.Reconnected when change.IsNewSession:
                _demo.Narrator.Say($"SESSION {Name} is back with a new session 0x{change.SessionId:x}; it queues for the lock and the election again");
                break;
            case ConnectionState.Suspended:
                _demo.Narrator.Detail($"{Name}: connection suspended");
                break;
        }
    }
}
