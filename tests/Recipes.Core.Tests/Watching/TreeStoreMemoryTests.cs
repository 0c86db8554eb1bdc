using Recipes.ZooKeeper;
using Xunit.Abstractions;

namespace Recipes.Core.Tests.Watching;

/// <summary>Checks the per-node memory figure documented on <see cref="TreeCacheOptions"/>.</summary>
[Collection(WatchingMemoryCollection.Name)]
public sealed class TreeStoreMemoryTests(ITestOutputHelper output)
{
    private const int PathLength = 40;
    private const int DataLength = 100;
    private const int Parents = 100;
    private const int ChildrenPerParent = 199;

    [Fact]
    public void CachedNodeCostsAboutTheDocumentedEstimate()
    {
        var nodes = 1 + Parents + (Parents * ChildrenPerParent);
        var changes = new List<TreeChange>();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);

        // Everything a cached node consists of is allocated here: path, data, stat, snapshot and the store's entries.
        var store = new TreeStore("/r", TreeCacheOptions.DefaultMaxNodes);
        store.ApplyRead(Make("/r"), changes);
        for (var p = 0; p < Parents; p++)
        {
            var parent = "/r/" + p.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            changes.Clear();
            store.ApplyRead(Make(parent), changes);
            for (var c = 0; c < ChildrenPerParent; c++)
            {
                var child = parent + "/" + c.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
                changes.Clear();
                store.ApplyRead(Make(child.PadRight(PathLength, 'x')), changes);
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;
        GC.KeepAlive(store);
        Assert.Equal(nodes, store.Count);

        var estimate = 300 + (2 * PathLength) + DataLength;
        var retainedPerNode = retained / (double)nodes;
        output.WriteLine($"{nodes} nodes, {PathLength}-char paths, {DataLength}-byte data: documented ~{estimate} B/node; " +
            $"retained {retainedPerNode:0} B/node; allocated {allocated / (double)nodes:0} B/node (with garbage from dictionary growth and change records).");

        // This collection runs alone, so the heap difference is the store's.
        Assert.InRange(retainedPerNode, estimate * 0.75, estimate * 1.25);
    }

    private static NodeSnapshot Make(string path)
    {
        var data = new byte[DataLength];
        var stat = new Stat(1, 1, 0, 0, 0, 0, 0, 0, DataLength, 0, 1);
        return new NodeSnapshot(path, data, stat);
    }
}
