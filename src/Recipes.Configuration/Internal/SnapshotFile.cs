using System.Text.Json;

namespace Recipes.Configuration.Internal;

/// <summary>
/// The local snapshot of a configuration: a JSON file <c>{"root": "/config/myapp", "savedAt": "...", "data": {key: value}}</c>
/// written atomically (a temporary file beside it, flushed to disk, then renamed over it).
/// </summary>
internal static class SnapshotFile
{
    /// <summary>Writes <paramref name="data"/> as the snapshot of <paramref name="root"/>.</summary>
    public static void Write(string path, string root, IReadOnlyDictionary<string, string?> data, DateTimeOffset savedAt)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    writer.WriteStartObject();
                    writer.WriteString("root", root);
                    writer.WriteString("savedAt", savedAt);
                    writer.WriteStartObject("data");
                    foreach (var (key, value) in data.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
                    {
                        if (value is null)
                        {
                            writer.WriteNull(key);
                        }
                        else
                        {
                            writer.WriteString(key, value);
                        }
                    }

                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Reads the snapshot of <paramref name="root"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a snapshot, or one of another root.</exception>
    /// <exception cref="IOException">The file cannot be read (e.g. <see cref="FileNotFoundException"/>).</exception>
    public static (Dictionary<string, string?> Data, DateTimeOffset SavedAt) Read(string path, string root)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var top = document.RootElement;
            var savedRoot = top.GetProperty("root").GetString();
            if (!string.Equals(savedRoot, root, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The configuration snapshot '{path}' is of the ZooKeeper path '{savedRoot}', not '{root}'.");
            }

            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var property in top.GetProperty("data").EnumerateObject())
            {
                data[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.GetString();
            }

            return (data, top.GetProperty("savedAt").GetDateTimeOffset());
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The configuration snapshot '{path}' is not a valid snapshot: {exception.Message}", exception);
        }
    }
}
