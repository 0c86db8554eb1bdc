using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Recipes.ZooKeeper.Internal;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper;

// The reader of a connection: a dedicated thread that waits for data with a blocking wait on the socket, so the kernel
// wakes it directly when a reply arrives, and that completes the reply's task itself, so the code awaiting it runs at
// once on the thread the kernel woke. (An asynchronous read is woken by the runtime's socket-event thread, which wakes
// a thread-pool worker, which queues the continuation: thread hand-offs that cost tens of microseconds each on a busy
// machine, more than the client's own work on a round trip.) Of the replies one read brings, the last is completed on
// the reader and the others on the thread pool.
//
// A continuation that blocks or runs long must not stop the connection's reading: one watchdog thread per process
// checks every few milliseconds, while any connection is busy, whether a completion has been running on a reader for
// longer than StallThreshold, and if so starts a new reader for that connection; the stalled thread exits when its
// continuation returns. So a blocking continuation delays the replies behind it by a few milliseconds at most, and never
// deadlocks the connection. The watchdog sleeps (no wake-ups) while no connection has completed anything for a second.
public sealed partial class ZooKeeperClient
{
    private sealed class ReaderCrew
    {
        /// <summary>How long a completion may run on the reader before the watchdog starts a new reader.</summary>
        private static readonly TimeSpan StallThreshold = TimeSpan.FromMilliseconds(10);

        /// <summary>How long a wait for data lasts before the reader checks whether the connection is closing.</summary>
        private const int PollMicroseconds = 200_000;

        private readonly ZooKeeperClient _client;
        private readonly Connection _connection;
        private readonly Socket? _socket;
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _lock = new();

        // Touched only by the reader of the moment (handed over under _lock, which orders the accesses).
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _start;
        private int _end;

        // A Stopwatch timestamp: when the reader's running completion started (0: none).
        private long _completingSince;

        // Under _lock.
        private int _readerTurn;
        private bool _stopped;

        private ReaderCrew(ZooKeeperClient client, Connection connection)
        {
            _client = client;
            _connection = connection;

            // A plain TCP stream: wait for data on the socket itself. A TLS stream may hold decrypted bytes the socket no
            // longer shows, so its reads just block.
            _socket = (connection.Stream as NetworkStream)?.Socket;
        }

        /// <summary>Starts reading <paramref name="connection"/>; the task fails with the reason reading ended.</summary>
        public static Task Start(ZooKeeperClient client, Connection connection)
        {
            var crew = new ReaderCrew(client, connection);
            Watchdog.Add(crew);
            crew.StartReader(0);
            return crew._ended.Task;
        }

        /// <summary>Starts a reader thread for <paramref name="turn"/>.</summary>
        private void StartReader(int turn)
        {
            var thread = new Thread(static state => ((ReaderTurn)state!).Run())
            {
                IsBackground = true,
                Name = "ZooKeeper reader",
            };
            thread.UnsafeStart(new ReaderTurn(this, turn));
        }

        /// <summary>A reader thread: reads and completes replies while <paramref name="turn"/> is the reader's turn.</summary>
        private void Read(int turn)
        {
            var ready = new List<Request>();
            while (true)
            {
                try
                {
                    WaitForReplies(ready);
                }
                catch (Exception exception)
                {
                    // Replies already taken from the pending queue still get their outcome.
                    foreach (var request in ready)
                    {
                        request.DeliverOnThreadPool();
                    }

                    ready.Clear();
                    Stop(exception);
                    return;
                }

                Complete(ready);
                lock (_lock)
                {
                    if (_stopped || _readerTurn != turn)
                    {
                        // Stopped, or a new reader took over while this completion ran long.
                        return;
                    }

                    Volatile.Write(ref _completingSince, 0);
                }
            }
        }

        /// <summary>Reads until at least one reply is ready.</summary>
        private void WaitForReplies(List<Request> ready)
        {
            while (true)
            {
                var needed = ProcessFrames(ready);
                if (ready.Count > 0)
                {
                    return;
                }

                MakeRoom(needed);
                if (_socket is not null)
                {
                    while (!_socket.Poll(PollMicroseconds, SelectMode.SelectRead))
                    {
                        if (_connection.Cancellation.IsCancellationRequested)
                        {
                            throw new ObjectDisposedException(nameof(Connection), "The connection is closing.");
                        }
                    }
                }

                var read = _connection.Stream.Read(_buffer, _end, _buffer.Length - _end);
                if (read == 0)
                {
                    throw new IOException($"{_connection.Host} closed the connection");
                }

                _end += read;
                Interlocked.Exchange(ref _client._lastReceived, _client._time.GetTimestamp());
            }
        }

        /// <summary>Handles every complete frame in the buffer; returns the size of the incomplete one (0 if none).</summary>
        private int ProcessFrames(List<Request> ready)
        {
            while (_end - _start >= 4)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
                if (length < ReplyHeader.Size || length > _client._options.MaxIncomingFrameSize)
                {
                    throw new ZooKeeperProtocolException(
                        $"{_connection.Host} sent a frame of length {length}; expected {ReplyHeader.Size} to {_client._options.MaxIncomingFrameSize} bytes (MaxIncomingFrameSize).");
                }

                if (_end - _start - 4 < length)
                {
                    return 4 + length;
                }

                _client.ProcessFrame(_connection, _buffer.AsSpan(_start + 4, length), ready);
                _start += 4 + length;
            }

            return 0;
        }

        /// <summary>Makes room after the unread bytes for the next read (and for a frame of <paramref name="needed"/> bytes).</summary>
        private void MakeRoom(int needed)
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_buffer.Length - _start < Math.Max(needed, 4) || _buffer.Length - _end < 4096)
            {
                var size = Math.Max(_buffer.Length, needed);
                var next = size > _buffer.Length ? ArrayPool<byte>.Shared.Rent(size) : _buffer;
                Buffer.BlockCopy(_buffer, _start, next, 0, _end - _start);
                if (!ReferenceEquals(next, _buffer))
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = next;
                }

                _end -= _start;
                _start = 0;
            }
        }

        /// <summary>Completes the ready replies: the last one here (its continuations run inline), the others on the pool.</summary>
        private void Complete(List<Request> ready)
        {
            for (var i = 0; i < ready.Count - 1; i++)
            {
                ready[i].DeliverOnThreadPool();
            }

            var last = ready[^1];
            ready.Clear();
            var now = Stopwatch.GetTimestamp();
            Volatile.Write(ref _completingSince, now);
            Watchdog.NoteCompletion(now);

            // Continuations' exceptions end up in their own tasks; Deliver itself does not throw.
            last.Deliver();
        }

        /// <summary>Starts a new reader if the running completion has stalled this one (called by the watchdog).</summary>
        private void TakeOverIfStalled(long now)
        {
            lock (_lock)
            {
                var since = Volatile.Read(ref _completingSince);
                if (_stopped || since == 0 || Stopwatch.GetElapsedTime(since, now) < StallThreshold)
                {
                    return;
                }

                _readerTurn++;
                Volatile.Write(ref _completingSince, 0);
                StartReader(_readerTurn);
            }

            _client._logger.LogDebug(
                "Code awaiting a reply from {Host} has run on the connection's reader for over {Threshold} ms (it blocks or works long); a new reader took over.",
                _connection.Host, StallThreshold.TotalMilliseconds);
        }

        /// <summary>Ends reading (called by the reader, the only thread touching the buffer).</summary>
        private void Stop(Exception exception)
        {
            lock (_lock)
            {
                _stopped = true;
            }

            Watchdog.Remove(this);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _ended.TrySetException(exception);
        }

        private sealed record ReaderTurn(ReaderCrew Crew, int Turn)
        {
            public void Run() => Crew.Read(Turn);
        }

        /// <summary>The process's one thread that looks for readers stalled by a continuation.</summary>
        private static class Watchdog
        {
            /// <summary>How often it looks while any connection is busy.</summary>
            private const int CheckMilliseconds = 5;

            /// <summary>After this long without a completion anywhere it sleeps until the next one.</summary>
            private static readonly long QuietTicks = Stopwatch.Frequency;

            private static readonly object Gate = new();
            private static readonly List<ReaderCrew> Crews = [];
            private static long s_lastCompletion;
            private static bool s_asleep;
            private static bool s_started;

            public static void Add(ReaderCrew crew)
            {
                lock (Gate)
                {
                    Crews.Add(crew);
                    if (!s_started)
                    {
                        s_started = true;
                        new Thread(Run) { IsBackground = true, Name = "ZooKeeper reader watchdog" }.UnsafeStart();
                    }
                }
            }

            public static void Remove(ReaderCrew crew)
            {
                lock (Gate)
                {
                    Crews.Remove(crew);
                }
            }

            public static void NoteCompletion(long now)
            {
                // A full fence between noting the completion and reading whether the watchdog sleeps (it sets that,
                // fences, and looks at the last completion before sleeping): one of the two sees the other.
                Interlocked.Exchange(ref s_lastCompletion, now);
                if (Volatile.Read(ref s_asleep))
                {
                    lock (Gate)
                    {
                        Monitor.Pulse(Gate);
                    }
                }
            }

            private static void Run()
            {
                var crews = new List<ReaderCrew>();
                while (true)
                {
                    lock (Gate)
                    {
                        if (Stopwatch.GetTimestamp() - Volatile.Read(ref s_lastCompletion) > QuietTicks)
                        {
                            Volatile.Write(ref s_asleep, true);
                            Interlocked.MemoryBarrier();
                            if (Stopwatch.GetTimestamp() - Volatile.Read(ref s_lastCompletion) > QuietTicks)
                            {
                                Monitor.Wait(Gate);
                            }

                            Volatile.Write(ref s_asleep, false);
                        }
                        else
                        {
                            Monitor.Wait(Gate, CheckMilliseconds);
                        }

                        crews.Clear();
                        crews.AddRange(Crews);
                    }

                    var now = Stopwatch.GetTimestamp();
                    foreach (var crew in crews)
                    {
                        crew.TakeOverIfStalled(now);
                    }
                }
            }
        }
    }
}
