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

    /// <summary>Whether the request's task has completed (then the writer skips it).</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>Handles the reply on the reader loop. <paramref name="body"/> holds the record when the error is Ok.</summary>
    public abstract void OnReply(in ReplyHeader header, ref JuteReader body, ReplyContext context);

    /// <summary>Fails the request (connection loss, expiry, close, or a problem found before sending).</summary>
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
internal sealed class Request<T> : Request
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ReplyParser<T> _parser;
    private CancellationTokenRegistration _cancellation;

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

    public override bool IsCompleted => _completion.Task.IsCompleted;

    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Request<T>)state!).Cancel(token), this);
        }
    }

    public override void OnReply(in ReplyHeader header, ref JuteReader body, ReplyContext context)
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
                Complete(exception);
                return;
            }

            RegisterWatch(context, result);
            _cancellation.Dispose();
            _completion.TrySetResult(result);
            return;
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
                _cancellation.Dispose();
                _completion.TrySetResult(value);
                return;
            }
        }

        Complete(ZooKeeperException.Create(header.Err, Path));
    }

    public override void Fail(Exception exception) => Complete(exception);

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

    private void Complete(Exception exception)
    {
        _cancellation.Dispose();
        _completion.TrySetException(exception);
    }

    private void Cancel(CancellationToken token) => _completion.TrySetCanceled(token);
}
