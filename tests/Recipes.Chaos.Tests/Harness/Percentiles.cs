using System.Globalization;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>A small summary of samples (milliseconds).</summary>
internal sealed record Percentiles(int Count, double Median, double P95, double Max)
{
    public static Percentiles Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0);
        }

        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Percentiles(sorted.Length, Math.Round(At(0.5), 1), Math.Round(At(0.95), 1), Math.Round(sorted[^1], 1));
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"n={Count} median {Median:0} p95 {P95:0} max {Max:0}");
}
