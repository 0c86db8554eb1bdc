using System.Globalization;

namespace Recipes.Bench;

/// <summary>
/// The command line shared with the peer programs: <c>CONNECT WORKLOAD... [key=value...]</c>. Workload names may
/// also be given comma-separated (<c>W1,W2</c>) or as <c>all</c>; keys are the ones of WORKLOADS.md (e.g. <c>W1.ops</c>).
/// </summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    private BenchArgs(string connect)
    {
        Connect = connect;
    }

    /// <summary>The ZooKeeper connection string.</summary>
    public string Connect { get; }

    /// <summary>The workloads in the order given (upper case, deduplicated).</summary>
    public List<string> Workloads { get; } = [];

    /// <summary>A fresh root path for this run, as the peers use: <c>/bench-&lt;random hex&gt;</c>.</summary>
    public string Root { get; } = "/bench-" + Random.Shared.NextInt64(long.MaxValue).ToString("x", CultureInfo.InvariantCulture);

    public static BenchArgs Parse(string[] args)
    {
        if (args.Length == 0 || args[0].Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException("usage: Recipes.Bench CONNECT W1 [W2 ...] [key=value ...]");
        }

        var parsed = new BenchArgs(args[0]);
        foreach (var arg in args.Skip(1))
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                parsed._options[arg[..eq]] = arg[(eq + 1)..];
                continue;
            }

            foreach (var name in arg.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var workload = name.ToUpperInvariant();
                if (workload == "ALL")
                {
                    parsed.Workloads.AddRange(["W1", "W2", "W3", "W4", "W5", "W6", "W7"]);
                }
                else
                {
                    parsed.Workloads.Add(workload);
                }
            }
        }

        var distinct = parsed.Workloads.Distinct().ToList();
        parsed.Workloads.Clear();
        parsed.Workloads.AddRange(distinct);
        return parsed;
    }

    /// <summary>The integer option <paramref name="key"/>, or <paramref name="defaultValue"/>.</summary>
    public int Int(string key, int defaultValue) =>
        _options.TryGetValue(key, out var text) ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture) : defaultValue;
}
