namespace Recipes.Configuration;

/// <summary>How znodes under the configuration root become configuration keys.</summary>
public enum ZooKeeperConfigurationMode
{
    /// <summary>
    /// One key per znode: the path below the root, with '/' replaced by ':', holds the znode's data as UTF-8 text
    /// (<c>/config/myapp/Logging/LogLevel/Default</c> holding <c>Information</c> is <c>Logging:LogLevel:Default</c>).
    /// The root's own data is ignored. A znode with empty data is a section only; without children it is a key whose
    /// value is the empty string.
    /// </summary>
    Tree,

    /// <summary>
    /// Znodes hold JSON documents, flattened the way the JSON configuration provider flattens a file (objects nest
    /// with ':', array items are <c>:0</c>, <c>:1</c>, ...), under the key of the znode's path (the root's document at the
    /// top level). Znodes with empty data contribute nothing. A document that does not parse keeps its last good
    /// content, and the error names the znode.
    /// </summary>
    JsonDocuments,
}
