namespace Recipes.ZooKeeper;

/// <summary>One operation of a multi (transaction). Create the operations with the static factories.</summary>
public abstract record Op(string Path)
{
    /// <summary>Create a node.</summary>
    public static CreateOp Create(string path, byte[]? data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null, long ttl = 0) =>
        new(path, data, mode, acl ?? ZooKeeper.Acl.OpenUnsafe, ttl);

    /// <summary>Delete a node (version -1: any).</summary>
    public static DeleteOp Delete(string path, int version = -1) => new(path, version);

    /// <summary>Set a node's data (version -1: any).</summary>
    public static SetDataOp SetData(string path, byte[]? data, int version = -1) => new(path, data, version);

    /// <summary>Check a node's version (fails the whole multi on mismatch).</summary>
    public static CheckOp Check(string path, int version) => new(path, version);
}

/// <summary>A create inside a multi.</summary>
public sealed record CreateOp(string Path, byte[]? Data, CreateMode Mode, IReadOnlyList<Acl> Acl, long Ttl) : Op(Path);

/// <summary>A delete inside a multi.</summary>
public sealed record DeleteOp(string Path, int Version) : Op(Path);

/// <summary>A setData inside a multi.</summary>
public sealed record SetDataOp(string Path, byte[]? Data, int Version) : Op(Path);

/// <summary>A version check inside a multi.</summary>
public sealed record CheckOp(string Path, int Version) : Op(Path);

/// <summary>The result of one operation of a successful multi.</summary>
public abstract record OpResult;

/// <summary>A create's result: the created path; the stat only for container and TTL creates (the server sends none otherwise).</summary>
public sealed record CreateOpResult(string Path, Stat? Stat) : OpResult;

/// <summary>A delete's result.</summary>
public sealed record DeleteOpResult : OpResult;

/// <summary>A setData's result.</summary>
public sealed record SetDataOpResult(Stat Stat) : OpResult;

/// <summary>A check's result.</summary>
public sealed record CheckOpResult : OpResult;

/// <summary>An operation's error inside a failed multi: <see cref="ErrorCode.Ok"/> for operations before the failing one,
/// the real code for the failing one, <see cref="ErrorCode.RuntimeInconsistency"/> after it.</summary>
public sealed record ErrorOpResult(ErrorCode Code) : OpResult;
