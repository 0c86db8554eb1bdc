namespace Recipes.Chaos.Tests.Invariants;

/// <summary>The options class the configuration workload's subscribers bind (section <c>App</c>).</summary>
internal sealed class ChaosAppSettings
{
    public const string Section = "App";

    public int Counter { get; set; }

    public string? Color { get; set; }

    /// <summary>Set and deleted by the writer, so a subscriber must also see keys disappear.</summary>
    public string? Note { get; set; }

    public bool SameAs(ChaosAppSettings other) =>
        Counter == other.Counter && string.Equals(Color, other.Color, StringComparison.Ordinal) && string.Equals(Note, other.Note, StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{Counter={Counter}, Color={Color ?? "null"}, Note={Note ?? "null"}}}");
}
