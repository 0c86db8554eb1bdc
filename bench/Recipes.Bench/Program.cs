using Recipes.Bench;
using Recipes.Bench.Workloads;
using Recipes.ZooKeeper;

// Recipes.Bench CONNECT W1 [W2 ...] [key=value ...]: one JSON line per workload on stdout (WORKLOADS.md in the
// shared bench folder), diagnostics on stderr. Every run works under a fresh root path, deleted at the end.
var workloads = new Dictionary<string, Func<BenchArgs, ZooKeeperClient, Task>>(StringComparer.Ordinal)
{
    ["W1"] = W1RawRead.RunAsync,
    ["W2"] = W2RawWrite.RunAsync,
    ["W3"] = W3LockUncontended.RunAsync,
    ["W4"] = W4LockContended.RunAsync,
    ["W5"] = W5LeaderFailover.RunAsync,
    ["W7"] = W7Discovery.RunAsync,
};

BenchArgs bench;
try
{
    bench = BenchArgs.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or FormatException)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
{
    ConnectionString = bench.Connect,
    SessionTimeout = TimeSpan.FromSeconds(30),
});
await client.CreateAsync(bench.Root, []);
try
{
    foreach (var name in bench.Workloads)
    {
        if (workloads.TryGetValue(name, out var run))
        {
            await run(bench, client);
        }
        else
        {
            Console.Error.WriteLine($"{name}: not implemented yet, skipped");
        }
    }
}
finally
{
    await Cleanup.DeleteRecursiveAsync(client, bench.Root);
}

return 0;
