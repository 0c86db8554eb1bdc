using Recipes.ZooKeeper.Internal;
using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper;

// The operations: validate, build the record, queue, and parse the reply.
public sealed partial class ZooKeeperClient
{
    /// <summary>The TTL bound of the protocol: 2^40 - 1 ms.</summary>
    private const long MaxTtl = (1L << 40) - 1;

    /// <inheritdoc />
    public Task<CreateResult> CreateAsync(string path, byte[]? data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<Acl>? acl = null, long ttl = 0, CancellationToken cancellationToken = default)
    {
        var record = CreateRecord(path, data, mode, acl ?? Acl.OpenUnsafe, ttl, out var opCode);
        return Send(opCode, record, path, static (ref JuteReader reader, Request<CreateResult> request, ReplyContext context) =>
        {
            var created = context.Chroot.ToClient(reader.ReadRequiredString("created path"));
            return new CreateResult(created, reader.ReadStat());
        }, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        return Send(OpCode.Delete, new PathVersionRequest(_chroot.ToServer(path), version), path, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Stat?> ExistsAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        var (watch, serverWatch) = OneShot(WatchKind.Exist, path, watcher);
        return Send<Stat?>(
            OpCode.Exists,
            new PathWatchRequest(_chroot.ToServer(path), serverWatch),
            path,
            static (ref JuteReader reader, Request<Stat?> _, ReplyContext _) => reader.ReadStat(),
            watch,
            cancellationToken,
            static code => code == ErrorCode.NoNode ? (true, null) : (false, null));
    }

    /// <inheritdoc />
    public Task<DataResult> GetDataAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        var (watch, serverWatch) = OneShot(WatchKind.Data, path, watcher);
        return Send(
            OpCode.GetData,
            new PathWatchRequest(_chroot.ToServer(path), serverWatch),
            path,
            static (ref JuteReader reader, Request<DataResult> _, ReplyContext _) => new DataResult(reader.ReadBuffer(), reader.ReadStat()),
            watch,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Stat> SetDataAsync(string path, byte[]? data, int version = -1, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        CheckDataSize(path, data);
        return Send(
            OpCode.SetData,
            new SetDataRequest(_chroot.ToServer(path), data, version),
            path,
            static (ref JuteReader reader, Request<Stat> _, ReplyContext _) => reader.ReadStat(),
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<ChildrenResult> GetChildrenAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        var (watch, serverWatch) = OneShot(WatchKind.Child, path, watcher);
        return Send(
            OpCode.GetChildren2,
            new PathWatchRequest(_chroot.ToServer(path), serverWatch),
            path,
            static (ref JuteReader reader, Request<ChildrenResult> _, ReplyContext _) => new ChildrenResult(reader.ReadStringVector(), reader.ReadStat()),
            watch,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        return Send(
            OpCode.GetAcl,
            new PathRequest(_chroot.ToServer(path)),
            path,
            static (ref JuteReader reader, Request<AclResult> _, ReplyContext _) => new AclResult(reader.ReadAclVector(), reader.ReadStat()),
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion = -1, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        ValidateAcl(path, acl);
        return Send(
            OpCode.SetAcl,
            new SetAclRequest(_chroot.ToServer(path), acl, aclVersion),
            path,
            static (ref JuteReader reader, Request<Stat> _, ReplyContext _) => reader.ReadStat(),
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task SyncAsync(string path, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        return Send(OpCode.Sync, new PathRequest(_chroot.ToServer(path)), path, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetEphemeralsAsync(string prefixPath = "/", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefixPath);
        if (prefixPath.Length == 0 || prefixPath[0] != '/')
        {
            throw new ArgumentException($"The prefix '{prefixPath}' must start with '/'.", nameof(prefixPath));
        }

        // A plain string prefix, so a partial last segment is allowed; with a chroot, "/" means the whole chroot.
        var serverPrefix = _chroot.IsEmpty ? prefixPath : prefixPath == "/" ? _chroot.Prefix + "/" : _chroot.Prefix + prefixPath;
        return Send<IReadOnlyList<string>>(
            OpCode.GetEphemerals,
            new PathRequest(serverPrefix),
            prefixPath,
            static (ref JuteReader reader, Request<IReadOnlyList<string>> _, ReplyContext context) =>
                reader.ReadStringVector().Select(context.Chroot.ToClient).ToList(),
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> GetAllChildrenNumberAsync(string path, CancellationToken cancellationToken = default)
    {
        PathUtils.Validate(path);
        return Send(
            OpCode.GetAllChildrenNumber,
            new PathRequest(_chroot.ToServer(path)),
            path,
            static (ref JuteReader reader, Request<int> _, ReplyContext _) => reader.ReadInt(),
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ClientIdentity>> WhoAmIAsync(CancellationToken cancellationToken = default) =>
        Send<IReadOnlyList<ClientIdentity>>(
            OpCode.WhoAmI,
            EmptyRequest.Instance,
            null,
            static (ref JuteReader reader, Request<IReadOnlyList<ClientIdentity>> _, ReplyContext _) =>
            {
                var count = reader.ReadInt();
                if (count < 0 || count > reader.Remaining / 8)
                {
                    throw new ZooKeeperProtocolException($"whoAmI reply claims {count} identities in {reader.Remaining} bytes.");
                }

                var list = new List<ClientIdentity>(count);
                for (var i = 0; i < count; i++)
                {
                    list.Add(new ClientIdentity(reader.ReadRequiredString("auth scheme"), reader.ReadString() ?? ""));
                }

                return list;
            },
            null,
            cancellationToken);

    /// <inheritdoc />
    public Task AddAuthAsync(ZooKeeperAuthInfo auth, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentException.ThrowIfNullOrEmpty(auth.Scheme);
        ArgumentNullException.ThrowIfNull(auth.Auth);
        lock (_auth)
        {
            _auth.Add(auth);
        }

        return Send(OpCode.Auth, new AuthPacket(0, auth.Scheme, auth.Auth), null, static (ref JuteReader _, Request<bool> _, ReplyContext _) => true, null, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OpResult>> MultiAsync(IReadOnlyList<Op> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0)
        {
            // The server would spend a zxid on nothing; Java completes it locally too.
            return Task.FromResult<IReadOnlyList<OpResult>>([]);
        }

        var records = new List<(OpCode, IRequestRecord)>(operations.Count);
        foreach (var op in operations)
        {
            records.Add(op switch
            {
                CreateOp c => MultiCreate(c),
                DeleteOp d => Validated(d.Path, OpCode.Delete, new PathVersionRequest(_chroot.ToServer(d.Path), d.Version)),
                SetDataOp s => ValidatedData(s.Path, s.Data, OpCode.SetData, new SetDataRequest(_chroot.ToServer(s.Path), s.Data, s.Version)),
                CheckOp k => Validated(k.Path, OpCode.Check, new PathVersionRequest(_chroot.ToServer(k.Path), k.Version)),
                null => throw new ArgumentException("A multi operation is null.", nameof(operations)),
                _ => throw new ArgumentException($"Unsupported multi operation {op.GetType().Name}.", nameof(operations)),
            });
        }

        var request = new Request<IReadOnlyList<OpResult>>(OpCode.Multi, new MultiRequest(records), operations[0].Path, ParseMulti)
        {
            State = operations,
        };
        return Enqueue(request, cancellationToken);
    }

    private (OpCode, IRequestRecord) MultiCreate(CreateOp op)
    {
        var record = CreateRecord(op.Path, op.Data, op.Mode, op.Acl, op.Ttl, out var opCode);
        // Inside a multi, create2 is answered as a plain create: ask for create and expect a path only.
        return (opCode == OpCode.Create2 ? OpCode.Create : opCode, record);
    }

    private (OpCode, IRequestRecord) Validated(string path, OpCode code, IRequestRecord record)
    {
        PathUtils.Validate(path);
        return (code, record);
    }

    private (OpCode, IRequestRecord) ValidatedData(string path, byte[]? data, OpCode code, IRequestRecord record)
    {
        PathUtils.Validate(path);
        CheckDataSize(path, data);
        return (code, record);
    }

    private static IReadOnlyList<OpResult> ParseMulti(ref JuteReader reader, Request<IReadOnlyList<OpResult>> request, ReplyContext context)
    {
        var operations = (IReadOnlyList<Op>)request.State!;
        var results = new List<OpResult>(operations.Count);
        var failed = -1;
        var failedCode = ErrorCode.Ok;
        while (true)
        {
            var header = MultiHeader.Read(ref reader);
            if (header.Done)
            {
                break;
            }

            if (results.Count >= operations.Count)
            {
                throw new ZooKeeperProtocolException($"The multi reply has more results than the {operations.Count} operations sent.");
            }

            switch ((OpCode)header.Type)
            {
                case OpCode.Create:
                    results.Add(new CreateOpResult(context.Chroot.ToClient(reader.ReadRequiredString("created path")), null));
                    break;
                case OpCode.Create2:
                case OpCode.CreateContainer:
                case OpCode.CreateTtl:
                    results.Add(new CreateOpResult(context.Chroot.ToClient(reader.ReadRequiredString("created path")), reader.ReadStat()));
                    break;
                case OpCode.Delete:
                    results.Add(new DeleteOpResult());
                    break;
                case OpCode.SetData:
                    results.Add(new SetDataOpResult(reader.ReadStat()));
                    break;
                case OpCode.Check:
                    results.Add(new CheckOpResult());
                    break;
                case OpCode.Error:
                    var code = (ErrorCode)reader.ReadInt();
                    if (failed < 0 && code is not ErrorCode.Ok and not ErrorCode.RuntimeInconsistency)
                    {
                        failed = results.Count;
                        failedCode = code;
                    }

                    results.Add(new ErrorOpResult(code));
                    break;
                default:
                    throw new ZooKeeperProtocolException($"The multi reply has a result of unknown type {header.Type}.");
            }
        }

        if (results.Count != operations.Count)
        {
            throw new ZooKeeperProtocolException($"The multi reply has {results.Count} results for {operations.Count} operations.");
        }

        if (failed >= 0 || results.Any(r => r is ErrorOpResult))
        {
            if (failed < 0)
            {
                failed = results.FindIndex(r => r is ErrorOpResult { Code: not ErrorCode.Ok });
                failedCode = failed >= 0 ? ((ErrorOpResult)results[failed]).Code : ErrorCode.SystemError;
                failed = Math.Max(failed, 0);
            }

            var errors = results.Select(r => r as ErrorOpResult ?? new ErrorOpResult(ErrorCode.Ok)).ToList();
            throw new MultiException(failedCode, operations[failed].Path, failed, errors);
        }

        return results;
    }

    private IRequestRecord CreateRecord(string path, byte[]? data, CreateMode mode, IReadOnlyList<Acl> acl, long ttl, out OpCode opCode)
    {
        PathUtils.Validate(path, mode.IsSequential());
        CheckDataSize(path, data);
        ValidateAcl(path, acl);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Unknown create mode for '{path}'.");
        }

        var serverPath = _chroot.ToServer(path);
        if (mode.IsTtl())
        {
            if (ttl is <= 0 or > MaxTtl)
            {
                throw new ArgumentOutOfRangeException(nameof(ttl), ttl, $"A TTL node ('{path}') needs a TTL between 1 and {MaxTtl} ms.");
            }

            opCode = OpCode.CreateTtl;
            return new CreateTtlRequest(serverPath, data, acl, (int)mode, ttl);
        }

        if (ttl != 0)
        {
            throw new ArgumentException($"A TTL was given for '{path}' but the create mode {mode} has none; use PersistentWithTtl.", nameof(ttl));
        }

        opCode = mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create2;
        return new CreateRequest(serverPath, data, acl, (int)mode);
    }

    private void CheckDataSize(string path, byte[]? data)
    {
        // The frame also carries the header, path and ACL: leave room for them.
        var limit = _options.MaxOutgoingFrameSize - 1024;
        if (data is not null && data.Length > limit)
        {
            throw new ArgumentException(
                $"The data for '{path}' is {data.Length} bytes; at most about {limit} fit in one request (the server's jute.maxbuffer is {_options.MaxOutgoingFrameSize}).",
                nameof(data));
        }
    }

    private static void ValidateAcl(string path, IReadOnlyList<Acl> acl)
    {
        ArgumentNullException.ThrowIfNull(acl);
        if (acl.Count == 0)
        {
            throw new ArgumentException($"The ACL for '{path}' is empty; the server rejects empty ACLs.", nameof(acl));
        }

        foreach (var entry in acl)
        {
            if (entry is null || entry.Id is null || string.IsNullOrEmpty(entry.Id.Scheme) || entry.Id.Identity is null)
            {
                throw new ArgumentException($"The ACL for '{path}' has an entry without a scheme or id.", nameof(acl));
            }
        }
    }

    private Task<T> Send<T>(OpCode opCode, IRequestRecord record, string? path, ReplyParser<T> parser, WatchRegistration? watch, CancellationToken cancellationToken, Func<ErrorCode, (bool, T)>? errorHandler = null)
    {
        var request = new Request<T>(opCode, record, path, parser) { Watch = watch, ErrorHandler = errorHandler };
        return Enqueue(request, cancellationToken);
    }

    private Task<T> Enqueue<T>(Request<T> request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        if (_closeRequested || State.IsTerminal())
        {
            return Task.FromException<T>(ForRequest(_terminalException ?? new ObjectDisposedException(nameof(ZooKeeperClient), "The ZooKeeper client is closing."), request));
        }

        request.RegisterCancellation(cancellationToken);
        if (!_outgoing.Writer.TryWrite(request))
        {
            request.Fail(ForRequest(_terminalException ?? new ObjectDisposedException(nameof(ZooKeeperClient)), request));
        }

        return request.Task;
    }
}
