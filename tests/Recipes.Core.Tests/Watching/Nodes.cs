using Recipes.ZooKeeper;

namespace Recipes.Core.Tests.Watching;

/// <summary>Builds snapshots and stats for the pure tests.</summary>
internal static class Nodes
{
    public static Stat Stat(long czxid, long mzxid, int numChildren = 0, int dataLength = 0) =>
        new(czxid, mzxid, 0, 0, (int)(mzxid - czxid), 0, 0, 0, dataLength, numChildren, czxid);

    public static NodeSnapshot Node(string path, long czxid, long mzxid, string? data = null, int numChildren = 0)
    {
        var bytes = data is null ? null : System.Text.Encoding.UTF8.GetBytes(data);
        return new NodeSnapshot(path, bytes, Stat(czxid, mzxid, numChildren, bytes?.Length ?? 0));
    }

    public static Dictionary<string, NodeSnapshot> Tree(params NodeSnapshot[] nodes) =>
        nodes.ToDictionary(n => n.Path, StringComparer.Ordinal);

    public static string Describe(IEnumerable<TreeChange> changes) =>
        string.Join(", ", changes.Select(c => $"{c.Kind} {c.Path}"));
}
