using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recipes.Core;
using Recipes.Testing;
using Recipes.Testing.Xunit;
using Xunit.Abstractions;
using static Recipes.Leader.Tests.LeaderTestKit;

namespace Recipes.Leader.Tests;

[Collection(LeaderCollection.Name)]
public sealed class LeaderElectedServiceTests(ZooKeeperServerFixture zk, ITestOutputHelper output)
{
    [Fact]
    public async Task WorkerStartsAndStopsWithLeadershipAcrossSeveralElections()
    {
        var root = zk.NewRoot(nameof(WorkerStartsAndStopsWithLeadershipAcrossSeveralElections));
        var worker = new RecordingWorker();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(new TestOutputLoggerProvider(output, "host"));
        builder.Services.AddZooKeeper(o =>
        {
            o.ConnectionString = zk.ConnectionString;
            o.Namespace = root;
            o.SessionTimeout = SessionTimeout;
            o.ConnectionWaitTimeout = Patience;
        });
        builder.Services.AddSingleton(worker);
        builder.Services.AddLeaderElectedService<RecordingWorker>(Election, o => o.ParticipantId = "host");
        using var host = builder.Build();
        var leadership = host.Services.GetRequiredService<ILeadership>();
        var connection = host.Services.GetRequiredService<IZooKeeperConnection>();

        await using var otherConnection = await ConnectAsync(zk.ConnectionString, root, output, "other");
        var otherLeads = Channel.CreateUnbounded<TaskCompletionSource>();
        await using var other = new LeaderSelector(
            otherConnection,
            Election,
            async (_, ct) =>
            {
                // Lead until the test releases leadership.
                var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await otherLeads.Writer.WriteAsync(release, ct);
                await release.Task.WaitAsync(ct);
            },
            Id("other"));

        await host.StartAsync();
        var firstRun = await WithinAsync(worker.Started.Reader.ReadAsync().AsTask(), "the worker starts (first election)");
        Assert.True(leadership.IsLeader(Election));
        Assert.Equal("host", (await leadership.GetLeaderAsync(Election))!.Id);
        await other.StartAsync();
        await EventuallyAsync(() => leadership.GetParticipantsAsync(Election).GetAwaiter().GetResult().Count == 2, "the other selector is in line");

        var previous = firstRun;
        for (var round = 0; round < 2; round++)
        {
            // Leadership is lost (the host's session expires): the worker is cancelled and the other instance leads.
            await ZooKeeperSessionKiller.KillAsync(zk.ConnectionString, connection.CurrentSession!.Client);
            await WithinAsync(WhenCancelled(previous.Token), "the worker is cancelled when leadership is lost");
            var release = await WithinAsync(otherLeads.Reader.ReadAsync().AsTask(), "the other instance leads");
            Assert.False(leadership.IsLeader(Election));
            Assert.Equal("other", (await leadership.GetLeaderAsync(Election))!.Id);

            // The host joined again with its new session: once the other resigns, the worker runs again.
            await EventuallyAsync(() => leadership.GetParticipantsAsync(Election).GetAwaiter().GetResult().Count == 2, "the host is in line again");
            release.TrySetResult();
            var next = await WithinAsync(worker.Started.Reader.ReadAsync().AsTask(), "the worker runs again on re-election");
            Assert.True(next.Term > previous.Term);
            Assert.True(leadership.IsLeader(Election));
            previous = next;
        }

        await WithinAsync(host.StopAsync(), "the host stops");
        Assert.True(previous.Token.IsCancellationRequested);
        Assert.False(leadership.IsLeader(Election));
        Assert.Equal(["other"], (await other.GetParticipantsAsync()).Select(p => p.Id));
        await other.StopAsync();
    }

    private sealed record Run(long Term, CancellationToken Token);

    private sealed class RecordingWorker : LeaderElectedService
    {
        public Channel<Run> Started { get; } = Channel.CreateUnbounded<Run>();

        protected internal override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Started.Writer.WriteAsync(new Run(CurrentTerm!.Term, stoppingToken), CancellationToken.None);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
