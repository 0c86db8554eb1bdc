using System.Diagnostics;

namespace Recipes.Bench.Workloads;

/// <summary>
/// Issues <c>total</c> asynchronous operations keeping at most <c>window</c> outstanding: <c>window</c> loops, each
/// issuing its next operation as soon as its previous one completed (the peers do the same with a semaphore).
/// Latency is per operation, from just before the call to the moment the awaiting code resumes.
/// </summary>
internal sealed class Pipeline
{
    private readonly int _total;
    private readonly LatencyRecorder? _latency;
    private readonly Func<Task> _operation;
    private int _next = -1;
    private int _errors;
    private Exception? _firstError;

    private Pipeline(int total, LatencyRecorder? latency, Func<Task> operation)
    {
        _total = total;
        _latency = latency;
        _operation = operation;
    }

    /// <summary>Runs the operations; returns the elapsed Stopwatch ticks and the number of failed operations.</summary>
    public static async Task<(long Ticks, int Errors)> RunAsync(int total, int window, LatencyRecorder? latency, Func<Task> operation)
    {
        var pipeline = new Pipeline(total, latency, operation);
        var loops = new Task[Math.Max(1, Math.Min(window, total))];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = pipeline.LoopAsync();
        }

        await Task.WhenAll(loops);
        var ticks = Stopwatch.GetTimestamp() - start;
        if (pipeline._firstError is { } error)
        {
            await Console.Error.WriteLineAsync($"{pipeline._errors} operations failed; the first: {error.GetType().Name}: {error.Message}");
        }

        return (ticks, pipeline._errors);
    }

    private async Task LoopAsync()
    {
        int slot;
        while ((slot = Interlocked.Increment(ref _next)) < _total)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await _operation();
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref _firstError, exception, null);
                Interlocked.Increment(ref _errors);
            }

            _latency?.Set(slot, start, Stopwatch.GetTimestamp());
        }
    }
}
