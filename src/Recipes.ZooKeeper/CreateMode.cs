namespace Recipes.ZooKeeper;

/// <summary>How a znode is created. The numeric values are the wire flags.</summary>
public enum CreateMode
{
    /// <summary>A node that lives until deleted.</summary>
    Persistent = 0,
    /// <summary>A node deleted when the creating session ends.</summary>
    Ephemeral = 1,
    /// <summary>A persistent node whose name gets a 10-digit, monotonically increasing suffix.</summary>
    PersistentSequential = 2,
    /// <summary>An ephemeral node whose name gets a 10-digit suffix.</summary>
    EphemeralSequential = 3,
    /// <summary>A container: the server deletes it once it had children and has none left.</summary>
    Container = 4,
    /// <summary>A persistent node deleted once it has no children and was not modified within its TTL (server needs extended types).</summary>
    PersistentWithTtl = 5,
    /// <summary>A sequential <see cref="PersistentWithTtl"/> node.</summary>
    PersistentSequentialWithTtl = 6,
}

/// <summary>Helpers over <see cref="CreateMode"/>.</summary>
public static class CreateModeExtensions
{
    /// <summary>Whether the server appends a sequence suffix.</summary>
    public static bool IsSequential(this CreateMode mode) =>
        mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;

    /// <summary>Whether the node ends with its session.</summary>
    public static bool IsEphemeral(this CreateMode mode) => mode is CreateMode.Ephemeral or CreateMode.EphemeralSequential;

    /// <summary>Whether the node carries a TTL.</summary>
    public static bool IsTtl(this CreateMode mode) => mode is CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl;
}
