using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Recipes.Testing.Internal;

namespace Recipes.Testing;

/// <summary>
/// One client connection through a <see cref="FaultProxy"/>. Its <see cref="Mode"/> and <see cref="Latency"/> override
/// the proxy's for this connection only; null follows the proxy.
/// </summary>
public sealed class ProxyConnection
{
    private const int BufferSize = 16 * 1024;
    private const int QueuedChunks = 64;

    private readonly FaultProxy _proxy;
    private readonly Socket _client;
    private readonly CancellationTokenSource _aborting = new();
    private Socket? _upstream;
    private int _modeOverride = -1;
    private long _latencyOverrideTicks = -1;
    private long _bytesToUpstream;
    private long _bytesToClient;
    private long _bytesHeld;
    private int _aborted;
    private volatile bool _finished;

    internal ProxyConnection(FaultProxy proxy, long id, Socket client)
    {
        _proxy = proxy;
        Id = id;
        _client = client;
        ClientEndPoint = client.RemoteEndPoint;
    }

    /// <summary>A number unique within the proxy, increasing in order of acceptance.</summary>
    public long Id { get; }

    /// <summary>The client's address and port.</summary>
    public EndPoint? ClientEndPoint { get; }

    /// <summary>This connection's own mode; null (the default) follows <see cref="FaultProxy.Mode"/>.
    /// <see cref="FaultMode.Refuse"/> here behaves as <see cref="FaultMode.Pass"/> (it only concerns new connections).</summary>
    public FaultMode? Mode
    {
        get
        {
            var value = Volatile.Read(ref _modeOverride);
            return value < 0 ? null : (FaultMode)value;
        }

        set
        {
            Volatile.Write(ref _modeOverride, value is null ? -1 : (int)value.Value);
            _proxy.SignalModeChanged();
        }
    }

    /// <summary>This connection's own latency for <see cref="FaultMode.Latency"/>; null (the default) follows <see cref="FaultProxy.Latency"/>.</summary>
    public TimeSpan? Latency
    {
        get
        {
            var ticks = Interlocked.Read(ref _latencyOverrideTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }

        set
        {
            if (value is { } latency)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
            }

            Interlocked.Exchange(ref _latencyOverrideTicks, value?.Ticks ?? -1);
        }
    }

    /// <summary>The mode in force for this connection.</summary>
    public FaultMode EffectiveMode => Mode ?? _proxy.Mode;

    private TimeSpan EffectiveLatency => Latency ?? _proxy.Latency;

    /// <summary>Bytes forwarded from the client to the server on this connection.</summary>
    public long BytesToUpstream => Interlocked.Read(ref _bytesToUpstream);

    /// <summary>Bytes forwarded from the server to the client on this connection.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>Bytes received on this connection and not yet forwarded or dropped (what a stall holds back).</summary>
    public long BytesHeld => Interlocked.Read(ref _bytesHeld);

    /// <summary>Whether the connection is still open (neither finished nor reset).</summary>
    public bool IsOpen => Volatile.Read(ref _aborted) == 0 && !_finished;

    /// <summary>Aborts this connection with a TCP reset, towards the client and towards the server.</summary>
    public void Reset() => Abort();

    internal void ClearOverrides()
    {
        Volatile.Write(ref _modeOverride, -1);
        Interlocked.Exchange(ref _latencyOverrideTicks, -1);
    }

    internal async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _aborting.Token);
        var token = linked.Token;
        try
        {
            var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Interlocked.Exchange(ref _upstream, upstream);
            if (Volatile.Read(ref _aborted) != 0)
            {
                SocketAbort.Reset(upstream);
                return;
            }

            try
            {
                await upstream.ConnectAsync(_proxy.UpstreamHost, _proxy.UpstreamPort, token);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // The server is unreachable: a client behind a partition would only see silence.
                _proxy.Logger.LogDebug(e, "Fault proxy connection {Id}: upstream connect failed", Id);
                await WaitWhileBlackholedAsync(token);
                Abort();
                return;
            }

            await Task.WhenAll(
                PumpAsync(_client, upstream, toUpstream: true, token),
                PumpAsync(upstream, _client, toUpstream: false, token));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            Abort();
        }
        catch (Exception e)
        {
            _proxy.Logger.LogWarning(e, "Fault proxy connection {Id} failed", Id);
            Abort();
        }
        finally
        {
            _finished = true;
            _client.Dispose();
            Volatile.Read(ref _upstream)?.Dispose();
            _aborting.Dispose();
        }
    }

    private void AddHeld(int count) => Interlocked.Add(ref _bytesHeld, count);

    private void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            _aborting.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }

        SocketAbort.Reset(_client);
        SocketAbort.Reset(Volatile.Read(ref _upstream));
    }

    private Task WaitWhileBlackholedAsync(CancellationToken cancellationToken) => WaitWhileAsync(FaultMode.Blackhole, cancellationToken);

    /// <summary>Waits until this connection's mode is no longer <paramref name="mode"/>.</summary>
    private async Task WaitWhileAsync(FaultMode mode, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = _proxy.ModeChanged;
            if (EffectiveMode != mode)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Forwards one direction: a reader queues chunks (dropping them while blackholed), a writer sends them on time.</summary>
    private async Task PumpAsync(Socket source, Socket destination, bool toUpstream, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ProxyChunk>(new BoundedChannelOptions(QueuedChunks)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var reading = ReadLoopAsync(source, channel.Writer, cancellationToken);
        try
        {
            await WriteLoopAsync(destination, channel.Reader, toUpstream, cancellationToken);
            await WaitWhileBlackholedAsync(cancellationToken);
            try
            {
                destination.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The peer is gone already.
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException or ChannelClosedException)
        {
            if (Volatile.Read(ref _aborted) == 0)
            {
                // A reset or error on one side. Behind a partition the other side would not learn of it.
                try
                {
                    await WaitWhileBlackholedAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }

                Abort();
            }
        }
        finally
        {
            await reading;
        }
    }

    private async Task ReadLoopAsync(Socket source, ChannelWriter<ProxyChunk> writer, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await source.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    writer.TryComplete();
                    return;
                }

                if (EffectiveMode == FaultMode.Blackhole)
                {
                    _proxy.AddDropped(read);
                    continue;
                }

                AddHeld(read);
                await writer.WriteAsync(new ProxyChunk(buffer.AsSpan(0, read).ToArray(), Stopwatch.GetTimestamp()), cancellationToken);
            }
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }

    private async Task WriteLoopAsync(Socket destination, ChannelReader<ProxyChunk> reader, bool toUpstream, CancellationToken cancellationToken)
    {
        var lastSlice = 0L;
        await foreach (var chunk in reader.ReadAllAsync(cancellationToken))
        {
            if (EffectiveMode == FaultMode.Latency)
            {
                var wait = EffectiveLatency - Stopwatch.GetElapsedTime(chunk.ArrivedAt);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
            }

            var offset = 0;
            while (offset < chunk.Data.Length)
            {
                var mode = EffectiveMode;
                if (mode == FaultMode.Stall)
                {
                    // Held until the stall ends, then delivered in order (a blackhole after the stall drops it).
                    await WaitWhileAsync(FaultMode.Stall, cancellationToken);
                    continue;
                }

                if (mode == FaultMode.Blackhole)
                {
                    AddHeld(-(chunk.Data.Length - offset));
                    _proxy.AddDropped(chunk.Data.Length - offset);
                    break;
                }

                var length = chunk.Data.Length - offset;
                if (mode == FaultMode.SlowTrickle)
                {
                    length = Math.Min(length, _proxy.TrickleBytes);
                    if (lastSlice != 0)
                    {
                        var wait = _proxy.TrickleInterval - Stopwatch.GetElapsedTime(lastSlice);
                        if (wait > TimeSpan.Zero)
                        {
                            await Task.Delay(wait, cancellationToken);
                        }
                    }

                    lastSlice = Stopwatch.GetTimestamp();
                }

                var sent = await destination.SendAsync(chunk.Data.AsMemory(offset, length), SocketFlags.None, cancellationToken);
                offset += sent;
                AddHeld(-sent);
                _proxy.AddBytes(toUpstream, sent);
                if (toUpstream)
                {
                    Interlocked.Add(ref _bytesToUpstream, sent);
                }
                else
                {
                    Interlocked.Add(ref _bytesToClient, sent);
                }
            }
        }
    }
}
