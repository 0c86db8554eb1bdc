namespace Recipes.Core;

/// <summary>How an <see cref="EphemeralNodeKeeper"/> names and creates its node.</summary>
public enum EphemeralNodeMode
{
    /// <summary>An ephemeral node at exactly the given path.</summary>
    Ephemeral = 0,

    /// <summary>An ephemeral sequential node: the server appends a 10-digit sequence to the given path; every re-creation gets a new sequence.</summary>
    EphemeralSequential = 1,

    /// <summary>An ephemeral node named <c>_c_&lt;uuid&gt;-&lt;name&gt;</c> under the given path's parent; the uuid is fixed for the keeper's lifetime.</summary>
    ProtectedEphemeral = 2,

    /// <summary>
    /// A protected ephemeral sequential node, <c>_c_&lt;uuid&gt;-&lt;name&gt;&lt;sequence&gt;</c>; the uuid (fixed for the
    /// keeper's lifetime) finds the node again after a lost create reply, so there is never more than one.
    /// </summary>
    ProtectedEphemeralSequential = 3,
}
