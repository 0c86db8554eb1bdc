using System.Text;
using Recipes.Core;
using Recipes.ZooKeeper;

namespace Recipes.Leader.Internal;

/// <summary>Reads an election's participants (ids from node data), first in line first.</summary>
internal static class ParticipantReader
{
    /// <summary>The participant-node markers of Curator's LeaderLatch and LeaderSelector.</summary>
    public static readonly IReadOnlyList<string> AllMarkers = [ElectionParticipant.LatchMarker, ElectionParticipant.SelectorMarker];

    public static async Task<IReadOnlyList<Participant>> ReadAsync(IZooKeeperConnection connection, string path, IReadOnlyList<string> markers, CancellationToken cancellationToken)
    {
        var queue = new SequentialNodeQueue(connection, path, markers);
        var names = await queue.GetSortedChildrenAsync(cancellationToken).ConfigureAwait(false);
        var participants = new List<Participant>(names.Count);
        foreach (var name in names)
        {
            var nodePath = PathUtils.Combine(path, name);
            byte[]? data;
            try
            {
                data = (await connection.ExecuteAsync((client, ct) => client.GetDataAsync(nodePath, null, ct), cancellationToken).ConfigureAwait(false)).Data;
            }
            catch (NoNodeException)
            {
                // Left between the listing and the read.
                continue;
            }

            var id = data is { Length: > 0 } ? Encoding.UTF8.GetString(data) : "";
            participants.Add(new Participant(id, participants.Count == 0, name));
        }

        return participants;
    }
}
