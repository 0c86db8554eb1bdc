namespace Recipes.Discovery;

/// <summary>Settings of the HttpClient handler added by <c>AddHttpClient(...).AddZooKeeperDiscovery()</c>.</summary>
public sealed class ServiceDiscoveryHttpOptions
{
    /// <summary>
    /// How many instances one request may try: when an instance cannot be reached (an <see cref="HttpRequestException"/>
    /// from the inner handler, e.g. connection refused), the error is reported to the down-instance policy and the next
    /// instance is tried. Default 3.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"ServiceDiscoveryHttpOptions.MaxAttempts must be at least 1; it is {MaxAttempts}.", nameof(MaxAttempts));
        }
    }
}
