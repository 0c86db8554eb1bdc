using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Recipes.Leader.Tests;

/// <summary>Writes log lines to the test's output (shown when a test fails), with a millisecond clock.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, string prefix) : ILoggerProvider
{
    private readonly long _start = TimeProvider.System.GetTimestamp();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        try
        {
            output.WriteLine($"{TimeProvider.System.GetElapsedTime(_start).TotalMilliseconds,8:0} [{prefix}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; background loops may still log.
        }
    }

    private sealed class Logger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write($"{logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
