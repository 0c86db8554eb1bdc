using Recipes.Core;

namespace Recipes.Bench;

/// <summary>Recipe connections (one ZooKeeper session each) for W3–W5, on the run's server, paths absolute (no namespace).</summary>
internal static class Sessions
{
    public static Task<ZooKeeperConnection> StartAsync(BenchArgs args, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null) =>
        ZooKeeperConnection.StartAsync(new ZooKeeperConnectionOptions
        {
            ConnectionString = args.Connect,
            SessionTimeout = TimeSpan.FromSeconds(30),
            LoggerFactory = loggerFactory,
        });
}
