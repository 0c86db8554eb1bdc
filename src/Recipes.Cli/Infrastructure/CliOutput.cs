using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recipes.Cli.Infrastructure;

/// <summary>
/// Where a command writes: results to stdout (text, or one JSON document / JSON lines with <c>--json</c>), status
/// and progress to stderr (text, or JSON lines with <c>--json</c>) so a child's or a script's stdout stays clean.
/// </summary>
internal sealed class CliOutput(TextWriter stdout, TextWriter stderr, bool json, bool verbose)
{
    // Output goes to terminals and scripts, not into HTML: keep '+', quotes and non-ASCII text readable.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _lock = new();

    public bool Json { get; } = json;

    public bool Verbose { get; } = verbose;

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>A result line for people (ignored with --json).</summary>
    public void Line(string text)
    {
        if (!Json)
        {
            Write(Out, text);
        }
    }

    /// <summary>A result for scripts: one indented JSON document on stdout (only with --json).</summary>
    public void Document(JsonNode node)
    {
        if (Json)
        {
            Write(Out, node.ToJsonString(Indented));
        }
    }

    /// <summary>One JSON line on stdout (a stream of results, e.g. watch events; only with --json).</summary>
    public void JsonLine(JsonObject node)
    {
        if (Json)
        {
            Write(Out, node.ToJsonString(Compact));
        }
    }

    /// <summary>A status event on stderr: the text for people, or a JSON line <c>{"event": name, ...}</c>.</summary>
    public void Status(string name, string text, JsonObject? fields = null)
    {
        if (Json)
        {
            var line = new JsonObject { ["event"] = name, ["time"] = DateTimeOffset.UtcNow.ToString("O") };
            foreach (var (key, value) in fields ?? [])
            {
                line[key] = value?.DeepClone();
            }

            Write(Error, line.ToJsonString(Compact));
        }
        else
        {
            Write(Error, text);
        }
    }

    /// <summary>A status line shown only with --verbose (as a JSON event with --json).</summary>
    public void Detail(string name, string text, JsonObject? fields = null)
    {
        if (Verbose || Json)
        {
            Status(name, text, fields);
        }
    }

    private void Write(TextWriter writer, string text)
    {
        lock (_lock)
        {
            writer.WriteLine(text);
            writer.Flush();
        }
    }
}
