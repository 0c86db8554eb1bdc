using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>W1 raw-read: pipelined <c>GetDataAsync</c> (no watch) on one 100-byte znode, 200,000 ops by default.</summary>
internal static class W1RawRead
{
    public static Task RunAsync(BenchArgs args, ZooKeeperClient client) =>
        RawWorkload.RunAsync(args, client, "W1", 200_000, (path, _) => () => client.GetDataAsync(path));
}
