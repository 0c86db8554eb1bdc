namespace Recipes.Configuration;

/// <summary>An update from ZooKeeper that was rejected: what, where and why. The last good value stays in force.</summary>
public sealed class ZooKeeperConfigurationErrorEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="kind">Why the update was rejected.</param>
    /// <param name="source">The znode path (malformed document) or the configuration section (validation).</param>
    /// <param name="message">What is wrong, readable.</param>
    /// <param name="exception">The underlying exception, if any.</param>
    /// <param name="time">When the problem was seen.</param>
    public ZooKeeperConfigurationErrorEventArgs(ZooKeeperConfigurationErrorKind kind, string source, string message, Exception? exception, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(message);
        Kind = kind;
        Source = source;
        Message = message;
        Exception = exception;
        Time = time;
    }

    /// <summary>Why the update was rejected.</summary>
    public ZooKeeperConfigurationErrorKind Kind { get; }

    /// <summary>The znode path (<see cref="ZooKeeperConfigurationErrorKind.MalformedDocument"/>) or the configuration section (<see cref="ZooKeeperConfigurationErrorKind.ValidationFailed"/>).</summary>
    public string Source { get; }

    /// <summary>What is wrong.</summary>
    public string Message { get; }

    /// <summary>The underlying exception (e.g. the JSON parser's), if any.</summary>
    public Exception? Exception { get; }

    /// <summary>When the problem was seen.</summary>
    public DateTimeOffset Time { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} at '{Source}': {Message}";
}
