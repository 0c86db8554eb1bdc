using Recipes.ZooKeeper;

namespace Recipes.Bench;

internal static class Cleanup
{
    /// <summary>Deletes <paramref name="path"/> and everything under it (children first).</summary>
    public static async Task DeleteRecursiveAsync(ZooKeeperClient client, string path)
    {
        try
        {
            var children = await client.GetChildrenAsync(path);
            foreach (var child in children.Children)
            {
                await DeleteRecursiveAsync(client, path + "/" + child);
            }

            await client.DeleteAsync(path);
        }
        catch (NoNodeException)
        {
            // Already gone.
        }
    }
}
