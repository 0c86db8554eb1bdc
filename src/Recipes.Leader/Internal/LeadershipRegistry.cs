using System.Collections.Concurrent;
using Recipes.Core;

namespace Recipes.Leader.Internal;

/// <summary>The <see cref="ILeadership"/> of a host: the selectors of its leader-elected services, by path.</summary>
internal sealed class LeadershipRegistry(IZooKeeperConnection connection) : ILeadership
{
    private readonly ConcurrentDictionary<LeaderSelector, string> _selectors = new();

    public void Add(LeaderSelector selector) => _selectors[selector] = selector.Path;

    public void Remove(LeaderSelector selector) => _selectors.TryRemove(selector, out _);

    public bool IsLeader(string path) => GetCurrentTerm(path) is not null;

    public LeadershipTerm? GetCurrentTerm(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _selectors.Keys
            .Where(s => string.Equals(s.Path, path, StringComparison.Ordinal))
            .Select(s => s.CurrentTerm)
            .FirstOrDefault(t => t is not null);
    }

    public async Task<Participant?> GetLeaderAsync(string path, CancellationToken cancellationToken = default) =>
        (await GetParticipantsAsync(path, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<Participant>> GetParticipantsAsync(string path, CancellationToken cancellationToken = default) =>
        ParticipantReader.ReadAsync(connection, path, ParticipantReader.AllMarkers, cancellationToken);
}
