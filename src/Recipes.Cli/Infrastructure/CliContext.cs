using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Recipes.Core;

namespace Recipes.Cli.Infrastructure;

/// <summary>
/// What one command invocation works with: its parse result, output, logging, the shutdown signal, and (on demand)
/// the ZooKeeper connection built from the global options. Disposing closes the connection (its session and
/// ephemeral nodes end at once) and flushes the logs.
/// </summary>
internal sealed class CliContext : IAsyncDisposable
{
    private readonly ShutdownSignal _shutdown;
    private ZooKeeperConnection? _connection;

    public CliContext(ParseResult parse, ShutdownSignal shutdown, TextWriter stdout, TextWriter stderr)
    {
        Parse = parse;
        _shutdown = shutdown;
        Output = new CliOutput(stdout, stderr, parse.GetValue(GlobalOptions.Json), parse.GetValue(GlobalOptions.Verbose));
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder
            .AddConsole(o =>
            {
                o.LogToStandardErrorThreshold = LogLevel.Trace;
                o.FormatterName = ConsoleFormatterNames.Simple;
            })
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            })
            .SetMinimumLevel(Output.Verbose ? LogLevel.Debug : LogLevel.Warning));
    }

    public ParseResult Parse { get; }

    public CliOutput Output { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Cancelled on Ctrl-C or SIGTERM.</summary>
    public CancellationToken Cancellation => _shutdown.Token;

    public ShutdownSignal Shutdown => _shutdown;

    /// <summary>Connects (once) and waits for the first session; a failure becomes exit code 2.</summary>
    public async Task<IZooKeeperConnection> ConnectAsync()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var options = ConnectionFactory.Build(Parse, LoggerFactory, Output);
        var connection = new ZooKeeperConnection(options);
        connection.StateChanged += OnStateChanged;
        try
        {
            var session = await WithProgress(connection.WaitForSessionAsync(Cancellation), $"connecting to {options.ConnectionString}");
            Output.Detail("connected", $"connected to {options.ConnectionString}: session 0x{session.SessionId:x} (timeout {Durations.Format(session.SessionTimeout)})",
                new JsonObject { ["sessionId"] = $"0x{session.SessionId:x}", ["sessionTimeoutMs"] = (long)session.SessionTimeout.TotalMilliseconds });
        }
        catch (Exception e) when (e is Recipes.ZooKeeper.ConnectionLossException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new CliException(ExitCodes.Connection, $"Cannot connect to ZooKeeper at '{options.ConnectionString}': {e.Message}", e);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        _connection = connection;
        return connection;
    }

    /// <summary>Awaits <paramref name="task"/>, telling stderr every few seconds what it waits for.</summary>
    public async Task<T> WithProgress<T>(Task<T> task, string what)
    {
        await WaitWithProgressAsync(task, what);
        return await task;
    }

    /// <inheritdoc cref="WithProgress{T}"/>
    public async Task WaitWithProgressAsync(Task task, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        var next = TimeSpan.FromSeconds(2);
        while (!task.IsCompleted)
        {
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            await Task.WhenAny(task, Task.Delay(next - elapsed > TimeSpan.Zero ? next - elapsed : TimeSpan.Zero, CancellationToken.None));
            if (!task.IsCompleted)
            {
                elapsed = TimeProvider.System.GetElapsedTime(started);
                Output.Status("waiting", $"... still {what} ({elapsed.TotalSeconds:0} s)",
                    new JsonObject { ["what"] = what, ["elapsedSeconds"] = Math.Round(elapsed.TotalSeconds) });
                next = elapsed + TimeSpan.FromSeconds(5);
            }
        }

        await task;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            connection.StateChanged -= OnStateChanged;
            await connection.DisposeAsync();
        }

        LoggerFactory.Dispose();
    }

    private void OnStateChanged(object? sender, ConnectionStateChange change)
    {
        if (change.State == ConnectionState.Connected)
        {
            return;
        }

        var text = change.State switch
        {
            ConnectionState.Suspended => "connection suspended (ZooKeeper unreachable); locks and leadership are kept only within the grace",
            ConnectionState.Lost => $"session 0x{change.SessionId:x} lost; opening a new session",
            ConnectionState.Reconnected when change.IsNewSession => $"reconnected with a new session 0x{change.SessionId:x}",
            ConnectionState.Reconnected => $"reconnected (same session 0x{change.SessionId:x})",
            _ => $"connection {change.State}",
        };
        Output.Status("connection", text, new JsonObject { ["state"] = change.State.ToString(), ["sessionId"] = $"0x{change.SessionId:x}", ["newSession"] = change.IsNewSession });
    }
}
