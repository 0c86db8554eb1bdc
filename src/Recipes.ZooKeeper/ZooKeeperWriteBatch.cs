namespace Recipes.ZooKeeper;

/// <summary>
/// A scope from <see cref="IZooKeeperClient.BatchWrites"/>: the requests the thread that opened it starts on the client
/// are written together when it is disposed. Dispose it exactly once (a <c>using</c> statement); the default value does
/// nothing.
/// </summary>
public readonly struct ZooKeeperWriteBatch : IDisposable
{
    private readonly ZooKeeperClient? _client;
    private readonly int _threadId;

    internal ZooKeeperWriteBatch(ZooKeeperClient client, int threadId)
    {
        _client = client;
        _threadId = threadId;
    }

    /// <summary>Whether this scope holds writes back (false for a nested scope or a client that does not batch).</summary>
    public bool IsActive => _client is not null;

    /// <summary>Ends the batch: what it held is written now (on the calling thread when the writer is idle).</summary>
    public void Dispose() => _client?.EndWriteBatch(_threadId);
}
