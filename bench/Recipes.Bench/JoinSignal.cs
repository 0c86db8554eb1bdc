using Microsoft.Extensions.Logging;

namespace Recipes.Bench;

/// <summary>
/// A logger factory for one candidate's connection in W5 that tells when its latch has created its node (the latch's
/// debug line "Joined '{Path}' as '{Node}' ..."), the equivalent of polling Curator's <c>getOurPath()</c> without a
/// server request. Warnings and errors of any category go to stderr.
/// </summary>
internal sealed class JoinSignal : ILoggerFactory
{
    private readonly object _lock = new();
    private TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the latch started after the last <see cref="Reset"/> has joined.</summary>
    public Task Joined
    {
        get
        {
            lock (_lock)
            {
                return _joined.Task;
            }
        }
    }

    /// <summary>Arms the signal for the next latch (call before starting it).</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Recipes.Leader.LeaderLatch" ? new LatchLogger(this, categoryName) : new ProblemLogger(categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Signal()
    {
        lock (_lock)
        {
            _joined.TrySetResult();
        }
    }

    private class ProblemLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public virtual bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public virtual void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                Console.Error.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
            }
        }
    }

    private sealed class LatchLogger(JoinSignal owner, string category) : ProblemLogger(category)
    {
        public override bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public override void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Debug && state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                foreach (var (key, value) in fields)
                {
                    if (key == "{OriginalFormat}" && value is string format && format.StartsWith("Joined '", StringComparison.Ordinal))
                    {
                        owner.Signal();
                    }
                }

                return;
            }

            base.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
