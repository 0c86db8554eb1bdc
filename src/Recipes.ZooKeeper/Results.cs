namespace Recipes.ZooKeeper;

/// <summary>The result of a create: the actual path (with the sequence suffix for sequential nodes) and the new node's stat.</summary>
/// <param name="Path">The created node's client path.</param>
/// <param name="Stat">The created node's stat.</param>
public sealed record CreateResult(string Path, Stat Stat);

/// <summary>A node's data and stat.</summary>
/// <param name="Data">The data; null when the node was created or set with null data.</param>
/// <param name="Stat">The node's stat at the time of the read.</param>
public sealed record DataResult(byte[]? Data, Stat Stat);

/// <summary>A node's children (names only, in no particular order) and its stat.</summary>
/// <param name="Children">The child names.</param>
/// <param name="Stat">The parent's stat at the time of the read.</param>
public sealed record ChildrenResult(IReadOnlyList<string> Children, Stat Stat);

/// <summary>A node's ACL and stat.</summary>
/// <param name="Acl">The ACL entries.</param>
/// <param name="Stat">The node's stat.</param>
public sealed record AclResult(IReadOnlyList<Acl> Acl, Stat Stat);

/// <summary>One authenticated identity of this connection, as <c>whoAmI</c> reports it.</summary>
/// <param name="Scheme">The authentication scheme (digest, ip, x509, …).</param>
/// <param name="User">The user within the scheme.</param>
public sealed record ClientIdentity(string Scheme, string User);
