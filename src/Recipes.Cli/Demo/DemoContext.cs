using Recipes.Testing;

namespace Recipes.Cli.Demo;

/// <summary>What the demo's steps work with: the workers, the cluster, the referee, the fenced store and the narrator.</summary>
internal sealed class DemoContext(string connectionString, string root, DemoNarrator narrator)
{
    /// <summary>How long a step waits for what it shows before it reports a failed check (generous: machines can be loaded).</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public string ConnectionString { get; } = connectionString;

    /// <summary>The demo's own root znode (unique per run).</summary>
    public string Root { get; } = root;

    public string LeaderPath => Root + "/leader";

    public string LockPath => Root + "/lock";

    public DemoNarrator Narrator { get; } = narrator;

    public DemoReferee Referee { get; } = new(narrator);

    public FencedStore Store { get; } = new();

    public List<DemoWorker> Workers { get; } = [];

    /// <summary>How many times the demo killed a session.</summary>
    public int Kills { get; private set; }

    public DemoWorker Worker(string name) => Workers.Single(w => w.Name == name);

    /// <summary>Closes <paramref name="worker"/>'s session on the server, as a partition or a long pause would end it.</summary>
    public async Task KillSessionAsync(DemoWorker worker, CancellationToken cancellationToken)
    {
        var session = worker.Connection.CurrentSession ?? throw new DemoCheckException($"{worker.Name} has no session to kill.");
        Referee.SessionKilled(session.SessionId);
        Kills++;
        await ZooKeeperSessionKiller.KillAsync(ConnectionString, session.Client, cancellationToken);
    }

    /// <summary>Waits (polling briefly) until <paramref name="condition"/> holds; a <see cref="DemoCheckException"/> names it otherwise.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var limit = timeout ?? StepTimeout;
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new DemoCheckException($"{what}: not seen within {limit.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
