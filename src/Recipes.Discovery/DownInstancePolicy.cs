namespace Recipes.Discovery;

/// <summary>
/// When a provider stops handing out an instance that failed (Curator's <c>DownInstancePolicy</c>): once
/// <see cref="ErrorThreshold"/> errors were reported for it within <see cref="Timeout"/> of its first error, it counts as
/// down, locally, until <see cref="Timeout"/> after that first error; then its record is forgotten.
/// </summary>
public sealed class DownInstancePolicy
{
    /// <summary>How many reported errors make an instance down. Default 2 (Curator's).</summary>
    public int ErrorThreshold { get; set; } = 2;

    /// <summary>How long errors are counted, and an instance stays down, from its first error. Default 30 s (Curator's).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (ErrorThreshold < 1)
        {
            throw new ArgumentException($"DownInstancePolicy.ErrorThreshold must be at least 1; it is {ErrorThreshold}.", nameof(ErrorThreshold));
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"DownInstancePolicy.Timeout must be positive; it is {Timeout}.", nameof(Timeout));
        }
    }

    internal DownInstancePolicy Clone() => new() { ErrorThreshold = ErrorThreshold, Timeout = Timeout };
}
