namespace Recipes.Configuration;

/// <summary>Why an update from ZooKeeper was not taken as it was.</summary>
public enum ZooKeeperConfigurationErrorKind
{
    /// <summary>A znode's JSON document does not parse (<see cref="ZooKeeperConfigurationMode.JsonDocuments"/>); its last good content stays.</summary>
    MalformedDocument,

    /// <summary>A section failed its registered validation; its last good keys stay.</summary>
    ValidationFailed,
}
