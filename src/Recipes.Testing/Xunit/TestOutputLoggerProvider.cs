using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Recipes.Testing.Xunit;

/// <summary>
/// An <see cref="ILoggerProvider"/> that writes log lines to an xunit test's output (shown when the test fails), each
/// with the milliseconds since the provider was created. Lines logged after the test finished are dropped.
/// </summary>
/// <param name="output">The test's output.</param>
/// <param name="prefix">Written in brackets before each line (e.g. which participant logs), or null.</param>
/// <param name="minimumLevel">The lowest level written. Default <see cref="LogLevel.Debug"/>.</param>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output, string? prefix = null, LogLevel minimumLevel = LogLevel.Debug) : ILoggerProvider
{
    private readonly long _start = TimeProvider.System.GetTimestamp();
    private readonly string _prefix = prefix is null ? "" : "[" + prefix + "] ";
    private readonly LogLevel _minimumLevel = minimumLevel;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        return new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(string line)
    {
        try
        {
            output.WriteLine($"{TimeProvider.System.GetElapsedTime(_start).TotalMilliseconds,8:0} {_prefix}{line}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; background loops may still log.
        }
    }

    private sealed class Logger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write($"{logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
            }
        }
    }
}
