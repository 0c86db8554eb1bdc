using Microsoft.Extensions.Logging;
using Recipes.Configuration.Internal;

namespace Recipes.Configuration;

// The local snapshot: written after every good publish, off the publishing path, coalesced (only the latest keys are
// written when several publishes happen during one write).
public sealed partial class ZooKeeperConfigurationProvider
{
    private Dictionary<string, string?>? _snapshotPending;
    private Task _snapshotWriter = Task.CompletedTask;

    private void RequestSnapshot(Dictionary<string, string?> data)
    {
        if (_options.SnapshotPath is null)
        {
            return;
        }

        lock (_publishLock)
        {
            var idle = _snapshotPending is null;
            _snapshotPending = data;
            if (idle)
            {
                _snapshotWriter = Task.Run(WriteSnapshots);
            }
        }
    }

    private void WriteSnapshots()
    {
        while (true)
        {
            Dictionary<string, string?> data;
            lock (_publishLock)
            {
                data = _snapshotPending!;
            }

            try
            {
                SnapshotFile.Write(_options.SnapshotPath!, _root, data, _options.TimeProvider.GetUtcNow());
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                _logger.LogError(exception, "Writing the configuration snapshot '{Snapshot}' of ZooKeeper '{Root}' failed; the previous snapshot stays.", _options.SnapshotPath, _root);
            }

            lock (_publishLock)
            {
                if (ReferenceEquals(_snapshotPending, data))
                {
                    _snapshotPending = null;
                    return;
                }
            }
        }
    }

    private Task StopSnapshotWriterAsync()
    {
        lock (_publishLock)
        {
            return _snapshotWriter;
        }
    }
}
