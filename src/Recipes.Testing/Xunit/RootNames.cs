using System.Text;

namespace Recipes.Testing.Xunit;

/// <summary>Unique root paths for tests: <c>/t-&lt;name&gt;-&lt;8 hex digits&gt;</c>.</summary>
internal static class RootNames
{
    private const int MaxNameLength = 40;

    public static string New(string? testName)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        if (string.IsNullOrWhiteSpace(testName))
        {
            return "/t-" + suffix;
        }

        var name = new StringBuilder(Math.Min(testName.Length, MaxNameLength));
        foreach (var c in testName)
        {
            if (name.Length == MaxNameLength)
            {
                break;
            }

            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return "/t-" + name + "-" + suffix;
    }
}
