namespace Recipes.Discovery.Internal;

/// <summary>The errors reported per instance, and whether that makes it down (see <see cref="DownInstancePolicy"/>).</summary>
internal sealed class DownInstanceTracker(DownInstancePolicy policy, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long FirstError, int Count)> _errors = new(StringComparer.Ordinal);

    public void NoteError(ServiceInstance instance)
    {
        var now = timeProvider.GetTimestamp();
        lock (_lock)
        {
            var key = Key(instance);
            if (_errors.TryGetValue(key, out var entry) && !Expired(entry.FirstError, now))
            {
                _errors[key] = (entry.FirstError, entry.Count + 1);
            }
            else
            {
                _errors[key] = (now, 1);
            }
        }
    }

    public bool IsDown(ServiceInstance instance)
    {
        var now = timeProvider.GetTimestamp();
        lock (_lock)
        {
            var key = Key(instance);
            if (!_errors.TryGetValue(key, out var entry))
            {
                return false;
            }

            if (Expired(entry.FirstError, now))
            {
                _errors.Remove(key);
                return false;
            }

            return entry.Count >= policy.ErrorThreshold;
        }
    }

    private bool Expired(long firstError, long now) => timeProvider.GetElapsedTime(firstError, now) >= policy.Timeout;

    private static string Key(ServiceInstance instance) => instance.Id + "|" + instance.Address + "|" + instance.Port + "|" + instance.SslPort;
}
