using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Recipes.Core;

/// <summary>Starts the shared connection with the host (waiting for the first session when configured to) and disposes it on stop.</summary>
internal sealed class ZooKeeperConnectionHostedService(IZooKeeperConnection connection, IOptions<ZooKeeperHostingOptions> hosting) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (hosting.Value.WaitForConnectionOnStart)
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _ = connection.StartAsync(CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>How the host starts the shared connection.</summary>
public sealed class ZooKeeperHostingOptions
{
    /// <summary>
    /// Whether host start waits for the first session (failing start with a clear error when ZooKeeper is unreachable
    /// within <see cref="ZooKeeperConnectionOptions.ConnectionWaitTimeout"/>). Default true.
    /// </summary>
    public bool WaitForConnectionOnStart { get; set; } = true;
}
