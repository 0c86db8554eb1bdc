using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using Recipes.ZooKeeper.Protocol;
using Xunit.Abstractions;

namespace Recipes.ZooKeeper.Tests.FakeServer;

/// <summary>
/// A seeded, bounded fuzzer: the scripted server answers the client with random and mutated frames (replies,
/// notifications, handshakes). Whatever arrives, every call completes or fails with a ZooKeeper error within a bound,
/// nothing escapes as an unhandled exception, and frame lengths beyond <see cref="ZooKeeperClientOptions.MaxIncomingFrameSize"/>
/// are refused before anything is allocated for them. The seed is printed; <c>RECIPES_FUZZ_SEED</c> replays a run.
/// </summary>
public sealed class FrameFuzzTests(ITestOutputHelper output)
{
    private const int MaxFrame = 64 * 1024;
    private const int Iterations = 160;
    private const int Parallelism = 16;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Random_and_mutated_replies_never_hang_crash_or_blow_up_the_client()
    {
        var seed = Seed();
        output.WriteLine($"fuzz seed {seed} (replay with RECIPES_FUZZ_SEED={seed})");
        var unobserved = new ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var outcomes = new ConcurrentDictionary<string, int>();
        try
        {
            // A pool of workers, each taking the next iteration, so slow (silent-server) iterations overlap.
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(async _ =>
            {
                int iteration;
                while ((iteration = Interlocked.Increment(ref next)) < Iterations)
                {
                    await RunOneAsync(new Random(unchecked(seed + iteration)), iteration, outcomes);
                }
            }));

            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        output.WriteLine($"outcomes: {string.Join(", ", outcomes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        output.WriteLine($"allocated {allocated / (1024 * 1024)} MiB in the process during the run");

        // A quarter of the frames announce up to 2 GiB; had the client believed them it would have allocated tens of GiB.
        Assert.True(allocated < 4L * 1024 * 1024 * 1024, $"seed {seed}: {allocated} bytes allocated");
        var ours = unobserved.Where(e => e.ToString().Contains("Recipes.ZooKeeper", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count == 0, $"seed {seed}: unobserved task exceptions:\n{string.Join('\n', ours)}");
    }

    [Fact]
    public async Task Mutated_handshakes_never_hang_or_crash_the_client()
    {
        var seed = Seed();
        output.WriteLine($"fuzz seed {seed} (replay with RECIPES_FUZZ_SEED={seed})");
        for (var batch = 0; batch < 3; batch++)
        {
            await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(async i =>
            {
                var random = new Random(unchecked(seed + (batch * Parallelism) + i));
                await using var session = FakeSession.Create(o =>
                {
                    o.MaxIncomingFrameSize = MaxFrame;
                    o.SessionTimeout = TimeSpan.FromSeconds(3);
                });
                var connecting = session.Client.WaitForConnectedAsync();
                var connection = await session.Server.AcceptAsync();
                var handshake = Frames.ConnectResponse(3000, ScriptedZooKeeperServer.DefaultSessionId, ScriptedZooKeeperServer.DefaultPassword);
                await SendQuietlyAsync(connection, Mutate(handshake, random, frameStart: 0));
                connection.Close();

                // The client either took the mutated handshake as valid, or retries; it must not crash or hang.
                await Task.WhenAny(connecting, Task.Delay(TimeSpan.FromMilliseconds(200)));
                Assert.DoesNotContain(session.Logs.Messages, m => m.Contains("unexpectedly", StringComparison.Ordinal));
                await session.Client.DisposeAsync().AsTask().WaitAsync(Bound);
                await Task.WhenAny(connecting).WaitAsync(Bound);
                if (connecting.IsFaulted)
                {
                    // Disposing the client while it waits ends the wait with ObjectDisposedException; anything else is a ZooKeeper error.
                    var error = connecting.Exception!.InnerException;
                    Assert.True(error is ZooKeeperException or ObjectDisposedException, $"unexpected {error}");
                }
            }));
        }
    }

    private static int Seed() =>
        Environment.GetEnvironmentVariable("RECIPES_FUZZ_SEED") is { Length: > 0 } text
            ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : Random.Shared.Next();

    private static async Task RunOneAsync(Random random, int iteration, ConcurrentDictionary<string, int> outcomes)
    {
        await using var session = await FakeSession.StartAsync(o => o.MaxIncomingFrameSize = MaxFrame, negotiatedTimeoutMs: 3000);
        var watcher = Watcher.Create(_ => { });
        var call = random.Next(3) switch
        {
            0 => session.Client.GetDataAsync("/fuzz", watcher).ContinueWith(t => (object?)t.GetAwaiter().GetResult(), TaskScheduler.Default),
            1 => session.Client.GetChildrenAsync("/fuzz", watcher).ContinueWith(t => (object?)t.GetAwaiter().GetResult(), TaskScheduler.Default),
            _ => session.Client.ExistsAsync("/fuzz", watcher).ContinueWith(t => (object?)t.GetAwaiter().GetResult(), TaskScheduler.Default),
        };
        ReceivedRequest request;
        try
        {
            request = await session.Connection.ReadRequestAsync();
        }
        catch (EndOfStreamException)
        {
            // On a starved machine the client may give up on the connection first; its call must still end.
            await Assert.ThrowsAsync<ConnectionLossException>(() => call.WaitAsync(Bound));
            outcomes.AddOrUpdate("client hung up first", 1, (_, n) => n + 1);
            return;
        }

        // A valid frame to start from: the right reply, a notification, or a ping reply.
        var valid = random.Next(4) switch
        {
            0 => Frames.Notification(EventType.NodeDataChanged, "/fuzz"),
            1 => Frames.Reply(Xids.Ping, zxid: 0x10),
            _ => request.Type switch
            {
                OpCode.GetData => Frames.Reply(request.Xid, body: Frames.DataBody(new byte[random.Next(0, 300)])),
                OpCode.GetChildren => Frames.Reply(request.Xid, body: w =>
                {
                    w.WriteInt(2);
                    w.WriteString("a");
                    w.WriteString("b");
                }),
                _ => Frames.Reply(request.Xid, body: Frames.StatBody()),
            },
        };
        var fuzzed = random.Next(10) < 2 ? RandomBytes(random) : Mutate(valid, random, frameStart: 0);
        await SendQuietlyAsync(session.Connection, fuzzed);

        // Then the server either hangs up, goes silent (the client's own timeouts must end the call), or answers properly.
        switch (random.Next(6))
        {
            case 0:
            case 1:
                session.Connection.Close();
                break;
            case 2:
                break;
            default:
                await SendQuietlyAsync(session.Connection, Frames.Reply(request.Xid, body: Frames.StatBody()));
                break;
        }

        string outcome;
        try
        {
            await call.WaitAsync(Bound);
            outcome = "completed";
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"iteration {iteration}: the call did not complete within {Bound.TotalSeconds} s after {Hex(fuzzed)}");
        }
        catch (ZooKeeperException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            outcome = e.GetType().Name;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"iteration {iteration}: {e.GetType().Name} escaped after {Hex(fuzzed)}", e);
        }

        outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        Assert.DoesNotContain(session.Logs.Messages, m => m.Contains("unexpectedly", StringComparison.Ordinal));
    }

    /// <summary>Flips bits, truncates, inserts or overwrites bytes, or rewrites the length prefix (often absurdly).</summary>
    private static byte[] Mutate(byte[] frame, Random random, int frameStart)
    {
        var bytes = frame.ToList();
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            switch (random.Next(6))
            {
                case 0:
                    var at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    var start = random.Next(bytes.Count);
                    bytes.RemoveRange(start, Math.Min(bytes.Count - start, 1 + random.Next(8)));
                    break;
                case 2:
                    bytes.InsertRange(random.Next(bytes.Count + 1), RandomBytes(random, 1 + random.Next(8)));
                    break;
                case 3:
                    var cut = random.Next(bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                case 4 when bytes.Count >= frameStart + 4:
                    var length = new byte[4];
                    BinaryPrimitives.WriteInt32BigEndian(length, random.Next(4) switch
                    {
                        0 => random.Next(int.MinValue, 0),
                        1 => random.Next(MaxFrame, int.MaxValue),
                        2 => random.Next(1_500_000_000, int.MaxValue),
                        _ => random.Next(0, 64),
                    });
                    for (var i = 0; i < 4; i++)
                    {
                        bytes[frameStart + i] = length[i];
                    }

                    break;
                default:
                    // Overwrite an int-sized field with an extreme value (lengths of strings, vectors, buffers).
                    if (bytes.Count >= 8)
                    {
                        var field = 4 + random.Next(bytes.Count - 7);
                        var value = random.Next(3) switch { 0 => -1, 1 => int.MaxValue, _ => random.Next() };
                        var span = new byte[4];
                        BinaryPrimitives.WriteInt32BigEndian(span, value);
                        for (var i = 0; i < 4 && field + i < bytes.Count; i++)
                        {
                            bytes[field + i] = span[i];
                        }
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int? count = null)
    {
        var bytes = new byte[count ?? random.Next(1, 200)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task SendQuietlyAsync(FakeConnection connection, byte[] bytes)
    {
        try
        {
            await connection.SendAsync(bytes);
        }
        catch (IOException)
        {
            // The client already hung up on an earlier frame.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 64)));
}
