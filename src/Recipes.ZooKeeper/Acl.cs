using System.Security.Cryptography;
using System.Text;

namespace Recipes.ZooKeeper;

/// <summary>Permission bits of an ACL entry (<c>ZooDefs.Perms</c>).</summary>
[Flags]
public enum Permissions
{
    /// <summary>No permission.</summary>
    None = 0,
    /// <summary>Read data and list children.</summary>
    Read = 1,
    /// <summary>Set data.</summary>
    Write = 2,
    /// <summary>Create children.</summary>
    Create = 4,
    /// <summary>Delete children.</summary>
    Delete = 8,
    /// <summary>Set the ACL.</summary>
    Admin = 16,
    /// <summary>Everything.</summary>
    All = Read | Write | Create | Delete | Admin,
}

/// <summary>An identity in an ACL: a scheme and an id, for example <c>digest:alice:hash</c> or <c>world:anyone</c>.</summary>
/// <param name="Scheme">The authentication scheme.</param>
/// <param name="Identity">The id within the scheme.</param>
public sealed record ZooKeeperId(string Scheme, string Identity)
{
    /// <summary>Everyone (<c>world:anyone</c>).</summary>
    public static ZooKeeperId Anyone { get; } = new("world", "anyone");

    /// <summary>Every authenticated identity of the creating connection (<c>auth:</c>).</summary>
    public static ZooKeeperId Creator { get; } = new("auth", "");

    /// <summary>
    /// The digest id that a connection authenticated with <paramref name="user"/>:<paramref name="password"/> has
    /// (<c>digest:user:base64(sha1(user:password))</c>), for granting access without that user's credentials.
    /// </summary>
    public static ZooKeeperId Digest(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentNullException.ThrowIfNull(password);
        if (user.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("A digest user name cannot contain ':'.", nameof(user));
        }

        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password));
        return new ZooKeeperId("digest", user + ":" + Convert.ToBase64String(hash));
    }

    /// <inheritdoc />
    public override string ToString() => Scheme + ":" + Identity;
}

/// <summary>One ACL entry: permissions granted to an identity.</summary>
/// <param name="Permissions">What is allowed.</param>
/// <param name="Id">Who is allowed.</param>
public sealed record Acl(Permissions Permissions, ZooKeeperId Id)
{
    /// <summary>Everything for everyone (<c>OPEN_ACL_UNSAFE</c>).</summary>
    public static IReadOnlyList<Acl> OpenUnsafe { get; } = [new(Permissions.All, ZooKeeperId.Anyone)];

    /// <summary>Everything for the creator's authenticated identities only (<c>CREATOR_ALL_ACL</c>); needs an authenticated connection.</summary>
    public static IReadOnlyList<Acl> CreatorAll { get; } = [new(Permissions.All, ZooKeeperId.Creator)];

    /// <summary>Read for everyone (<c>READ_ACL_UNSAFE</c>).</summary>
    public static IReadOnlyList<Acl> ReadUnsafe { get; } = [new(Permissions.Read, ZooKeeperId.Anyone)];

    /// <summary>
    /// Everything for the creator, read for everyone: the "creator-only write" ACL used for recipe nodes.
    /// Needs an authenticated connection.
    /// </summary>
    public static IReadOnlyList<Acl> CreatorAllWorldRead { get; } =
        [new(Permissions.All, ZooKeeperId.Creator), new(Permissions.Read, ZooKeeperId.Anyone)];

    /// <inheritdoc />
    public override string ToString() => $"{Id}={Permissions}";
}
