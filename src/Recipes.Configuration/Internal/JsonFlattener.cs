using System.Globalization;
using System.Text.Json;

namespace Recipes.Configuration.Internal;

/// <summary>
/// Flattens a JSON document into configuration keys the way the JSON configuration provider does: objects nest with
/// ':', array items get their index, scalars keep their text (true is "True"), an empty array is "", and an empty
/// object or null is a key with a null value, as the JSON provider of Microsoft.Extensions.Configuration 10 has them
/// (<c>UnitTests</c> compares the two).
/// Comments and trailing commas are allowed; duplicate keys (ignoring case) are an error.
/// </summary>
internal static class JsonFlattener
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Flattens <paramref name="json"/> under <paramref name="prefix"/> ("" for the top level).</summary>
    /// <exception cref="FormatException">The text is not valid JSON, or repeats a key.</exception>
    public static Dictionary<string, string?> Flatten(ReadOnlyMemory<byte> json, string prefix)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var document = JsonDocument.Parse(json, DocumentOptions);
            Visit(document.RootElement, prefix, data);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"Not valid JSON: {exception.Message}", exception);
        }

        return data;
    }

    private static void Visit(JsonElement element, string key, Dictionary<string, string?> data)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var any = false;
                foreach (var property in element.EnumerateObject())
                {
                    any = true;
                    Visit(property.Value, KeyMapping.Combine(key, property.Name), data);
                }

                if (!any)
                {
                    Set(data, key, null);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Visit(item, KeyMapping.Combine(key, index.ToString(CultureInfo.InvariantCulture)), data);
                    index++;
                }

                if (index == 0)
                {
                    Set(data, key, "");
                }

                break;
            case JsonValueKind.Null:
                Set(data, key, null);
                break;
            case JsonValueKind.String:
                Set(data, key, element.GetString());
                break;
            default:
                // Numbers keep their text; true and false become "True" and "False", as the JSON provider has them.
                Set(data, key, element.ToString());
                break;
        }
    }

    private static void Set(Dictionary<string, string?> data, string key, string? value)
    {
        if (key.Length == 0)
        {
            // A scalar (or empty) document at the top level has no key to live under.
            return;
        }

        if (!data.TryAdd(key, value))
        {
            throw new FormatException($"The key '{key}' appears more than once (keys ignore case).");
        }
    }
}
