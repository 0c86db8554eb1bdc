namespace Recipes.Locks.Internal;

/// <summary>Curator's node markers and child folders, so Curator processes and ours share one lock.</summary>
internal static class LockNames
{
    /// <summary>Mutex nodes: <c>_c_&lt;uuid&gt;-lock-&lt;seq&gt;</c>.</summary>
    public const string Lock = "lock-";

    /// <summary>Read-lock nodes: <c>_c_&lt;uuid&gt;-__READ__&lt;seq&gt;</c>.</summary>
    public const string Read = "__READ__";

    /// <summary>Write-lock nodes: <c>_c_&lt;uuid&gt;-__WRIT__&lt;seq&gt;</c>.</summary>
    public const string Write = "__WRIT__";

    /// <summary>Semaphore lease nodes: <c>&lt;path&gt;/leases/_c_&lt;uuid&gt;-lease-&lt;seq&gt;</c>.</summary>
    public const string Lease = "lease-";

    /// <summary>The semaphore's internal mutex folder.</summary>
    public const string SemaphoreLocks = "locks";

    /// <summary>The semaphore's lease folder.</summary>
    public const string SemaphoreLeases = "leases";

    /// <summary>The read-write lock's markers, in Curator's sorting order (one sequence counter).</summary>
    public static readonly IReadOnlyList<string> ReadWriteMarkers = [Read, Write];
}
