using System.Globalization;
using System.CommandLine.Parsing;

namespace Recipes.Cli.Infrastructure;

/// <summary>Parses durations written as <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c> or a plain number of seconds.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') || text.EndsWith('S') ? (text[..^1], 1.0)
            : text.EndsWith('m') || text.EndsWith('M') ? (text[..^1], 60.0)
            : text.EndsWith('h') || text.EndsWith('H') ? (text[..^1], 3600.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0 || double.IsInfinity(amount))
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * unit);
        return true;
    }

    /// <summary>A System.CommandLine parser for a duration option.</summary>
    public static TimeSpan? Parse(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[0].Value;
        if (TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration; write e.g. 500ms, 30s, 2m or 1h.");
        return null;
    }

    public static string Format(TimeSpan value) =>
        value.TotalSeconds < 1 ? $"{value.TotalMilliseconds:0} ms" : $"{value.TotalSeconds:0.#} s";
}
