using System.Diagnostics;

namespace Recipes.Cli.Demo;

/// <summary>Prints the demo's story, one timestamped line at a time, from any thread.</summary>
internal sealed class DemoNarrator(TextWriter output, bool verbose)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Say(string text)
    {
        lock (_lock)
        {
            output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.00}s] {text}");
            output.Flush();
        }
    }

    /// <summary>A line only shown with --verbose.</summary>
    public void Detail(string text)
    {
        if (verbose)
        {
            Say("   " + text);
        }
    }

    public void Title(string text) => Say($"== {text}");
}
