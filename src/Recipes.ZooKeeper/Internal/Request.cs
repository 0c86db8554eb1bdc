using Recipes.ZooKeeper.Protocol;
using Recipes.ZooKeeper.Protocol.Records;

namespace Recipes.ZooKeeper.Internal;

/// <summary>
/// One request on its way: queued, then written (with an xid), then awaiting its reply in the connection's FIFO.
/// Completed exactly once, by the reply, by a connection failure, or by cancellation.
/// </summary>
internal abstract class Request
{
    protected Request(OpCode opCode, IRequestRecord record, string? path)
    {
        OpCode = opCode;
        Record = record;
        Path = path;
    }

    public OpCode OpCode { get; }

    public IRequestRecord Record { get; }

    /// <summary>The client path the request names, for error messages.</summary>
    public string? Path { get; }

    public int Xid { get; set; }

    /// <summary>
    /// When the writer serialized the request (a <see cref="TimeProvider"/> timestamp, taken before the write): the
    /// latency metric starts here, and a reply proves the server heard the client no earlier than this.
    /// </summary>
    public long StartTimestamp { get; set; }

    /// <summary>A watch to register when the reply arrives.</summary>
    public WatchRegistration? Watch { get; init; }

    /// <summary>Whether the request's outcome is decided (then the writer skips it); its task may complete a moment later.</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>
    /// Handles the reply on the reader: decides the outcome from it (<paramref name="body"/> holds the record when the
    /// error is Ok) without completing the task yet. True when the reader must now <see cref="Deliver"/> it (false: a
    /// cancellation or failure decided it first).
    /// </summary>
    public abstract bool OnReply(in ReplyHeader header, ref JuteReader body, ReplyContext context);

    /// <summary>
    /// Completes the task with the outcome <see cref="OnReply"/> (or <see cref="Fail"/>) decided. Its awaiting
    /// continuations run right here, on the calling thread: the connection's reader for the last reply of a read, the
    /// thread pool for the others and for failures.
    /// </summary>
    public abstract void Deliver();

    /// <summary><see cref="Deliver"/> on the thread pool, so no continuation runs on the calling thread.</summary>
    public void DeliverOnThreadPool() => ThreadPool.UnsafeQueueUserWorkItem(static request => request.Deliver(), this, preferLocal: false);

    /// <summary>
    /// Fails the request (connection loss, expiry, close, or a problem found before sending). The task completes on the
    /// thread pool, so no continuation runs inside the caller.
    /// </summary>
    public abstract void Fail(Exception exception);
}

/// <summary>What a reply parser needs besides the frame.</summary>
internal sealed class ReplyContext(Chroot chroot, WatchManager watches)
{
    public Chroot Chroot { get; } = chroot;

    public WatchManager Watches { get; } = watches;
}

/// <summary>Parses the body of a successful reply.</summary>
internal delegate T ReplyParser<T>(ref JuteReader reader, Request<T> request, ReplyContext context);

/// <summary>A request whose task yields <typeparamref name="T"/>.</summary>
/// <remarks>
/// The outcome is decided once (<see cref="_decided"/>), by the reply, a failure or a cancellation. A reply's outcome is
/// delivered by the reader with the awaiting continuations run inline (no thread hop between a reply and the code that
/// awaited it); a failure or cancellation completes the task on the thread pool.
/// </remarks>
internal sealed class Request<T> : Request
{
    private readonly TaskCompletionSource<T> _completion = new();
    private readonly ReplyParser<T> _parser;
    private CancellationTokenRegistration _cancellation;
    private int _decided;
    private T? _result;
    private Exception? _error;

    public Request(OpCode opCode, IRequestRecord record, string? path, ReplyParser<T> parser)
        : base(opCode, record, path)
    {
        _parser = parser;
    }

    public Task<T> Task => _completion.Task;

    /// <summary>Extra state for the parser (the operations of a multi).</summary>
    public object? State { get; init; }

    /// <summary>Called for a reply with an error code before the exception is raised; may turn it into a result.</summary>
    public Func<ErrorCode, (bool Handled, T Result)>? ErrorHandler { get; init; }

    public override bool IsCompleted => Volatile.Read(ref _decided) != 0;

    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Request<T>)state!).Cancel(token), this);
        }
    }

    public override bool OnReply(in ReplyHeader header, ref JuteReader body, ReplyContext context)
    {
        if (header.Err == ErrorCode.Ok)
        {
            T result;
            try
            {
                result = _parser(ref body, this, context);
            }
            catch (ZooKeeperProtocolException)
            {
                throw;
            }
            catch (ZooKeeperException exception)
            {
                return Decide(default, exception);
            }

            RegisterWatch(context, result);
            return Decide(result, null);
        }

        if (header.Err == ErrorCode.NoNode && Watch is { Kind: WatchKind.Exist } existWatch && !IsCompleted)
        {
            // exists() on a missing node leaves the watch set on the server: wait for the creation.
            context.Watches.Register(existWatch);
        }

        if (ErrorHandler is not null)
        {
            var (handled, value) = ErrorHandler(header.Err);
            if (handled)
            {
                return Decide(value, null);
            }
        }

        return Decide(default, ZooKeeperException.Create(header.Err, Path));
    }

    public override void Deliver()
    {
        _cancellation.Dispose();
        if (_error is null)
        {
            _completion.TrySetResult(_result!);
        }
        else
        {
            _completion.TrySetException(_error);
        }
    }

    public override void Fail(Exception exception)
    {
        if (Decide(default, exception))
        {
            DeliverOnThreadPool();
        }
    }

    private void RegisterWatch(ReplyContext context, T result)
    {
        if (Watch is null || IsCompleted)
        {
            return;
        }

        // exists() that found the node watches its data; one that did not, its creation.
        var registration = Watch.Kind == WatchKind.Exist && result is not null ? Watch with { Kind = WatchKind.Data } : Watch;
        context.Watches.Register(registration);
    }

    /// <summary>Records the outcome if none was decided yet; true when this call decided it.</summary>
    private bool Decide(T? result, Exception? error)
    {
        if (Interlocked.CompareExchange(ref _decided, 1, 0) != 0)
        {
            return false;
        }

        _result = result;
        _error = error;
        return true;
    }

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _decided, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Completion.TrySetCanceled(state.Token), (Completion: _completion, Token: token), preferLocal: false);
        }
    }
}
