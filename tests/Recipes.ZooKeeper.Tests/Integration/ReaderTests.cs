using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Recipes.Testing;
using Recipes.Testing.Xunit;

namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>
/// The connection's reader against a real server: a reply's awaiting code runs on the reader thread the kernel woke,
/// code that blocks there never stops the connection (a new reader takes over), and the blocking handshake still times out.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ReaderTests(ZooKeeperServerFixture zk)
{
    [Fact]
    public async Task The_code_awaiting_a_reply_runs_on_the_reader_that_read_it()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("reader-inline"));
        await client.CreateAsync("/a", "a"u8.ToArray());

        // A lone request: its reply is the last (the only) one of its read, so it completes on the reader. (Run
        // without a synchronization context to post to, as in a service; the test framework has one.)
        var names = await Task.Run(async () =>
        {
            var seen = new List<string?>();
            for (var i = 0; i < 5; i++)
            {
                await client.GetDataAsync("/a");
                seen.Add(Thread.CurrentThread.Name);
            }

            return seen;
        });

        Assert.Contains("ZooKeeper reader", names);
    }

    [Fact]
    public async Task A_continuation_that_blocks_on_another_reply_of_the_same_connection_does_not_deadlock_it()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("reader-blocking"));
        await client.CreateAsync("/a", "a"u8.ToArray());
        await client.CreateAsync("/b", "b"u8.ToArray());

        // Sync-over-async inside a continuation (bad practice, but it must not hang the client): the reader runs this
        // code and blocks; a new reader takes over, so the inner reply still arrives.
        var outcome = await client.GetDataAsync("/a").ContinueWith(
            first => (first.Result.Data, client.GetDataAsync("/b").GetAwaiter().GetResult().Data),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).WaitAsync(Clients.Wait);

        Assert.Equal("a"u8.ToArray(), outcome.Item1);
        Assert.Equal("b"u8.ToArray(), outcome.Item2);

        // And the connection goes on as before.
        Assert.Equal("a"u8.ToArray(), (await client.GetDataAsync("/a").WaitAsync(Clients.Wait)).Data);
    }

    [Fact]
    public async Task While_a_continuation_runs_long_other_replies_keep_arriving()
    {
        await using var client = await Clients.ConnectUnderAsync(zk.ConnectionString, zk.NewRoot("reader-long"));
        await client.CreateAsync("/a", "a"u8.ToArray());

        using var release = new ManualResetEventSlim();
        var blocked = client.GetDataAsync("/a").ContinueWith(
            _ => release.Wait(Clients.Wait),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            // The first continuation holds whichever thread completed it; 20 more round trips complete meanwhile.
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++)
            {
                await client.ExistsAsync("/a").WaitAsync(Clients.Wait);
            }

            Assert.False(blocked.IsCompleted);
            Assert.True(watch.Elapsed < Clients.Wait);
        }
        finally
        {
            release.Set();
        }

        Assert.True(await blocked.WaitAsync(Clients.Wait));
    }

    [Fact]
    public async Task A_cancelled_request_completes_on_the_thread_pool_not_inside_Cancel()
    {
        await using var proxy = FaultProxy.Start(zk.Server);
        await using var client = await Clients.ConnectAsync(proxy.ConnectionString, TimeSpan.FromSeconds(20));
        using var cancel = new CancellationTokenSource();

        // Stalled by the proxy, so it is still pending when cancelled.
        proxy.Mode = FaultMode.Stall;
        var pending = client.ExistsAsync("/zookeeper", null, cancel.Token);
        var cancelling = Environment.CurrentManagedThreadId;
        var insideCancel = false;
        var ranInsideCancel = false;
        var observed = pending.ContinueWith(
            _ => ranInsideCancel = Volatile.Read(ref insideCancel) && Environment.CurrentManagedThreadId == cancelling,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Volatile.Write(ref insideCancel, true);
        cancel.Cancel();
        Volatile.Write(ref insideCancel, false);

        await observed.WaitAsync(Clients.Wait);
        Assert.False(ranInsideCancel);
        Assert.True(pending.IsCanceled);

        // The late reply, when the stall ends, changes nothing and the connection goes on.
        proxy.Heal();
        Assert.NotNull(await client.ExistsAsync("/zookeeper").WaitAsync(Clients.Wait));
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_the_handshake_is_given_up_after_the_connect_timeout()
    {
        // The plain-TCP handshake is a blocking call on its own thread: the connect time-out must still abort it.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                held.Add(await silent.AcceptSocketAsync());
            }
        });
        try
        {
            var silentHost = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
            var watch = Stopwatch.StartNew();
            await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
            {
                ConnectionString = $"{silentHost},{zk.ConnectionString}",
                ShuffleHosts = false,
                SessionTimeout = TimeSpan.FromSeconds(6),
            }).WaitAsync(Clients.Wait);

            // The silent host was tried first and given up (its time-out: a third of the session's, at least 1 s).
            Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), $"connected after {watch.Elapsed}");
            Assert.NotEmpty(held);
            Assert.NotNull(await client.ExistsAsync("/").WaitAsync(Clients.Wait));
        }
        finally
        {
            silent.Stop();
            await Assert.ThrowsAnyAsync<Exception>(() => accepting);
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }
    }
}
