namespace Recipes.ZooKeeper.Tests.Integration;

/// <summary>Small helpers shared by the integration tests.</summary>
internal static class Clients
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null, Action<ZooKeeperClientOptions>? configure = null)
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(6),
        };
        configure?.Invoke(options);
        return ZooKeeperClient.ConnectAsync(options);
    }

    /// <summary>Creates <paramref name="root"/> and returns a client chrooted to it.</summary>
    public static async Task<ZooKeeperClient> ConnectUnderAsync(string connectionString, string root, TimeSpan? sessionTimeout = null)
    {
        await using (var setup = await ConnectAsync(connectionString))
        {
            await setup.CreateAsync(root, null);
        }

        return await ConnectAsync(connectionString + root, sessionTimeout);
    }

    /// <summary>A watcher that collects events and lets a test wait for one.</summary>
    public static EventCollector Collect() => new();
}

/// <summary>Collects watch events; <see cref="NextAsync"/> waits for the next one with a time-out.</summary>
internal sealed class EventCollector : IWatcher
{
    private readonly System.Threading.Channels.Channel<WatchedEvent> _events = System.Threading.Channels.Channel.CreateUnbounded<WatchedEvent>();

    public void Process(WatchedEvent @event) => _events.Writer.TryWrite(@event);

    public async Task<WatchedEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Clients.Wait);
        return await _events.Reader.ReadAsync(cancel.Token);
    }

    public bool TryNext(out WatchedEvent? @event) => _events.Reader.TryRead(out @event);
}
