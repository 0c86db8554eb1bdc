using Recipes.Chaos.Tests.Harness;

namespace Recipes.Chaos.Tests.Workloads;

/// <summary>One background loop per actor, each with its own seeded <see cref="Random"/>, stopped together.</summary>
internal sealed class ActorLoops
{
    private readonly List<Task> _loops = [];
    private CancellationTokenSource? _stop;

    /// <summary>Starts <paramref name="loop"/> for every actor; actor <c>i</c> gets <c>new Random(seed * 397 + salt + i)</c>.</summary>
    public void Start(
        IReadOnlyList<ChaosActor> actors, int seed, int salt, Func<ChaosActor, Random, CancellationToken, Task> loop, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stop = _stop.Token;
        for (var i = 0; i < actors.Count; i++)
        {
            var actor = actors[i];
            var random = new Random(unchecked((seed * 397) + salt + i));
            _loops.Add(Task.Run(() => loop(actor, random, stop), CancellationToken.None));
        }
    }

    /// <summary>Signals every loop to stop and waits for all of them.</summary>
    public async Task StopAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
        _stop = null;
    }
}
