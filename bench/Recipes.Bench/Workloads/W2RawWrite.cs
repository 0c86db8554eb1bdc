using Recipes.ZooKeeper;

namespace Recipes.Bench.Workloads;

/// <summary>W2 raw-write: pipelined <c>SetDataAsync</c> (version -1, the same 100 bytes) on one znode, 100,000 ops by default.</summary>
internal static class W2RawWrite
{
    public static Task RunAsync(BenchArgs args, ZooKeeperClient client) =>
        RawWorkload.RunAsync(args, client, "W2", 100_000, (path, data) => () => client.SetDataAsync(path, data, -1));
}
