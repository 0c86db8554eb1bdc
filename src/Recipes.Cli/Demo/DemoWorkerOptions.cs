namespace Recipes.Cli.Demo;

/// <summary>The options every demo worker binds from the demo's config root (section <c>Demo</c>) and watches through IOptionsMonitor.</summary>
internal sealed class DemoWorkerOptions
{
    /// <summary>The configuration section, i.e. the znode <c>&lt;config root&gt;/Demo</c>.</summary>
    public const string Section = "Demo";

    /// <summary>How many items a worker would handle per turn: the value the demo changes mid-run.</summary>
    public int BatchSize { get; set; }
}
