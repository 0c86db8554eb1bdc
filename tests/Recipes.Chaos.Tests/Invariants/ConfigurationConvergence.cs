namespace Recipes.Chaos.Tests.Invariants;

/// <summary>
/// The configuration promise once faults have stopped (and after a last write): every subscriber's
/// <c>IOptionsMonitor.CurrentValue</c> equals what a fresh read of the server gives.
/// </summary>
internal static class ConfigurationConvergence
{
    public const string Name = "configuration subscribers";

    /// <summary>What is wrong with one observed state; empty when the promise holds.</summary>
    /// <param name="server">The value bound from a fresh read of the server.</param>
    /// <param name="subscribers">Each subscriber's current value, by subscriber name.</param>
    public static IReadOnlyList<string> Problems(ChaosAppSettings server, IReadOnlyDictionary<string, ChaosAppSettings> subscribers) =>
        subscribers
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Where(s => !s.Value.SameAs(server))
            .Select(s => $"{s.Key} sees {s.Value} but the server holds {server}")
            .ToList();
}
