using System.Threading.Channels;

namespace Recipes.Core.Tests.Connection;

/// <summary>Records a connection's state changes so a test can wait for one, with a time-out.</summary>
internal sealed class StateRecorder
{
    private readonly Channel<ConnectionStateChange> _changes = Channel.CreateUnbounded<ConnectionStateChange>();

    public StateRecorder(IZooKeeperConnection connection) =>
        connection.StateChanged += (_, change) => _changes.Writer.TryWrite(change);

    public List<ConnectionStateChange> Seen { get; } = [];

    /// <summary>Waits for the next change to <paramref name="state"/> (earlier other changes are kept in <see cref="Seen"/>).</summary>
    public async Task<ConnectionStateChange> WaitFor(ConnectionState state, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            ConnectionStateChange change;
            try
            {
                change = await _changes.Reader.ReadAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"State {state} not reached; seen: {string.Join(", ", Seen.Select(s => s.State))}");
            }

            Seen.Add(change);
            if (change.State == state)
            {
                return change;
            }
        }
    }
}
