namespace Recipes.ZooKeeper.Tests.Unit;

public sealed class ZooKeeperExceptionTests
{
    public static TheoryData<ErrorCode, Type> TypedCodes => new()
    {
        { ErrorCode.NoNode, typeof(NoNodeException) },
        { ErrorCode.NodeExists, typeof(NodeExistsException) },
        { ErrorCode.BadVersion, typeof(BadVersionException) },
        { ErrorCode.NotEmpty, typeof(NotEmptyException) },
        { ErrorCode.NoAuth, typeof(NoAuthException) },
        { ErrorCode.NoChildrenForEphemerals, typeof(NoChildrenForEphemeralsException) },
        { ErrorCode.BadArguments, typeof(BadArgumentsException) },
        { ErrorCode.InvalidAcl, typeof(InvalidAclException) },
        { ErrorCode.SessionExpired, typeof(SessionExpiredException) },
        { ErrorCode.ConnectionLoss, typeof(ConnectionLossException) },
        { ErrorCode.OperationTimeout, typeof(OperationTimeoutException) },
        { ErrorCode.SessionMoved, typeof(SessionMovedException) },
        { ErrorCode.AuthFailed, typeof(AuthFailedException) },
        { ErrorCode.Unimplemented, typeof(UnimplementedException) },
        { ErrorCode.NoWatcher, typeof(NoWatcherException) },
        { ErrorCode.NotReadOnly, typeof(NotReadOnlyException) },
    };

    /// <summary>Transient per the reference's §10 (T): retry, the outcome of a write is unknown.</summary>
    private static readonly ErrorCode[] Transient =
    [
        ErrorCode.ConnectionLoss,
        ErrorCode.OperationTimeout,
        ErrorCode.NewConfigNoQuorum,
        ErrorCode.ReconfigInProgress,
        ErrorCode.SessionMoved,
        ErrorCode.RequestTimeout,
        ErrorCode.Throttled,
    ];

    public static TheoryData<ErrorCode> TransientCodes => new(Transient);

    [Theory]
    [MemberData(nameof(TypedCodes))]
    public void Create_maps_a_code_to_its_subclass(ErrorCode code, Type type)
    {
        var exception = ZooKeeperException.Create(code, "/p");

        Assert.IsType(type, exception);
        Assert.Equal(code, exception.Code);
        Assert.Equal("/p", exception.Path);
        Assert.Contains("/p", exception.Message, StringComparison.Ordinal);
        Assert.Contains(code.ToString(), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_code_keeps_its_code_path_and_message()
    {
        foreach (var code in Enum.GetValues<ErrorCode>().Where(c => c != ErrorCode.Ok))
        {
            var exception = ZooKeeperException.Create(code, "/x", "custom message");
            Assert.Equal(code, exception.Code);
            Assert.Equal("/x", exception.Path);
            Assert.Equal("custom message", exception.Message);
        }

        var generic = ZooKeeperException.Create(ErrorCode.QuotaExceeded, null);
        Assert.Equal(typeof(ZooKeeperException), generic.GetType());
        Assert.Equal($"ZooKeeper error QuotaExceeded ({(int)ErrorCode.QuotaExceeded}).", generic.Message);
    }

    [Fact]
    public void Connection_loss_keeps_its_inner_exception()
    {
        var inner = new ZooKeeperProtocolException("bad frame");
        var exception = ZooKeeperException.Create(ErrorCode.ConnectionLoss, "/p", "lost", inner);
        Assert.Same(inner, exception.InnerException);
    }

    [Theory]
    [MemberData(nameof(TransientCodes))]
    public void Transient_codes(ErrorCode code)
    {
        Assert.True(ZooKeeperException.Create(code, null).IsTransient, $"{code} is transient (retriable) per the protocol reference.");
    }

    [Fact]
    public void Other_codes_are_not_transient()
    {
        // NotReadOnly is "retry after finding a read-write server": not asserted either way.
        var transient = Transient.Append(ErrorCode.NotReadOnly).ToHashSet();
        foreach (var code in Enum.GetValues<ErrorCode>().Where(c => !transient.Contains(c)))
        {
            Assert.False(ZooKeeperException.Create(code, null).IsTransient, $"{code} should not be transient.");
        }
    }

    [Fact]
    public void MultiException_names_the_failing_operation()
    {
        var exception = new MultiException(ErrorCode.NodeExists, "/b", 1, [new(ErrorCode.Ok), new(ErrorCode.NodeExists), new(ErrorCode.RuntimeInconsistency)]);

        Assert.Equal(ErrorCode.NodeExists, exception.Code);
        Assert.Equal("/b", exception.Path);
        Assert.Equal(1, exception.FailedIndex);
        Assert.Contains("operation 1", exception.Message, StringComparison.Ordinal);
        Assert.Equal(3, exception.Results.Count);
    }
}
