using System.Collections.Concurrent;

namespace Recipes.ZooKeeper.Internal;

/// <summary>One TCP (or TLS) connection of a session: the stream and the requests awaiting replies on it.</summary>
internal sealed class Connection(Stream stream, HostEndpoint host, int negotiatedTimeoutMs, bool readOnly) : IAsyncDisposable
{
    public Stream Stream { get; } = stream;

    public HostEndpoint Host { get; } = host;

    public int NegotiatedTimeoutMs { get; } = negotiatedTimeoutMs;

    public bool ReadOnly { get; } = readOnly;

    /// <summary>Written requests awaiting their reply, in order (replies come back in request order).</summary>
    public ConcurrentQueue<Request> Pending { get; } = new();

    /// <summary>Auth requests awaiting their out-of-band reply (xid -4).</summary>
    public ConcurrentQueue<Request> PendingAuth { get; } = new();

    /// <summary>When each ping awaiting its reply was written (ping replies come back in order among themselves).</summary>
    public ConcurrentQueue<long> PendingPings { get; } = new();

    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>When the writer last wrote (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastSendTimestamp;

    /// <summary>Heard nothing for this long: the connection is dead (2/3 of the session timeout, as Java).</summary>
    public TimeSpan ReadTimeout => TimeSpan.FromMilliseconds(NegotiatedTimeoutMs * 2.0 / 3.0);

    /// <summary>Ping when nothing was sent for this long (half the read timeout, at most 10 s).</summary>
    public TimeSpan PingInterval => TimeSpan.FromMilliseconds(Math.Min(NegotiatedTimeoutMs / 3.0, 10_000));

    public async ValueTask DisposeAsync()
    {
        await Cancellation.CancelAsync().ConfigureAwait(false);
        try
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }

        Cancellation.Dispose();
    }
}
