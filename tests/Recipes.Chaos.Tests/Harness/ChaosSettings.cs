using System.Globalization;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>
/// How long chaos runs last and which seed they use, from the environment:
/// <c>RECIPES_CHAOS_LONG=1</c> selects the long mode (minutes of faults per scenario instead of seconds),
/// <c>RECIPES_CHAOS_SEED=&lt;n&gt;</c> replays a fault schedule (every run prints its seed).
/// </summary>
internal sealed record ChaosSettings(bool Long, int Seed, TimeSpan FaultPhase)
{
    public const string LongVariable = "RECIPES_CHAOS_LONG";
    public const string SeedVariable = "RECIPES_CHAOS_SEED";

    /// <summary>The settings of one scenario: <paramref name="ciSeconds"/> of faults in CI mode, <paramref name="longSeconds"/> in long mode.</summary>
    public static ChaosSettings ForScenario(int ciSeconds, int longSeconds)
    {
        var isLong = Environment.GetEnvironmentVariable(LongVariable) is "1" or "true" or "yes";
        var seedText = Environment.GetEnvironmentVariable(SeedVariable);
        var seed = string.IsNullOrWhiteSpace(seedText)
            ? Random.Shared.Next()
            : int.Parse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return new ChaosSettings(isLong, seed, TimeSpan.FromSeconds(isLong ? longSeconds : ciSeconds));
    }

    public string Mode => Long ? "long" : "ci";
}
