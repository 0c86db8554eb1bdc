using System.Globalization;
using System.Text;

namespace Recipes.Bench;

/// <summary>One result line: <c>{"peer": "recipes", "workload": "W1", ...}</c>, fields in insertion order.</summary>
internal sealed class JsonLine
{
    private readonly List<(string Key, object? Value)> _fields = [];

    public JsonLine(string workload)
    {
        Add("peer", "recipes");
        Add("workload", workload);
    }

    public JsonLine Add(string key, object? value)
    {
        _fields.RemoveAll(f => f.Key == key);
        _fields.Add((key, value));
        return this;
    }

    /// <summary>The standard figures: ops, seconds, ops_per_s, p50_ms, p99_ms (plus mean and max).</summary>
    public JsonLine Figures(int ops, double seconds, LatencyRecorder latency)
    {
        var (p50, p99, mean, max) = latency.Summary();
        return Add("ops", ops).Add("seconds", seconds).Add("ops_per_s", ops / seconds)
            .Add("p50_ms", p50).Add("p99_ms", p99).Add("mean_ms", mean).Add("max_ms", max);
    }

    /// <summary>Server request and transaction counts between two <see cref="ServerCounters"/> snapshots.</summary>
    public JsonLine ServerCounts(int ops, ServerCounters.Snapshot before, ServerCounters.Snapshot after)
    {
        if (!before.IsValid || !after.IsValid)
        {
            return this;
        }

        var requests = after.Received - before.Received - 1; // minus the "srvr" packet itself
        var txns = after.Zxid - before.Zxid;
        return Add("srv_requests", requests).Add("srv_txns", txns)
            .Add("srv_requests_per_op", (double)requests / ops).Add("srv_txns_per_op", (double)txns / ops);
    }

    public override string ToString()
    {
        var sb = new StringBuilder("{");
        foreach (var (key, value) in _fields)
        {
            if (sb.Length > 1)
            {
                sb.Append(", ");
            }

            sb.Append('"').Append(key).Append("\": ");
            switch (value)
            {
                case null:
                    sb.Append("null");
                    break;
                case double d when double.IsNaN(d) || double.IsInfinity(d):
                    sb.Append("null");
                    break;
                case double d:
                    sb.Append(d.ToString("0.0###", CultureInfo.InvariantCulture));
                    break;
                case bool b:
                    sb.Append(b ? "true" : "false");
                    break;
                case int or long:
                    sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append('"').Append(value.ToString()!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                    break;
            }
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Prints the line on stdout and flushes it.</summary>
    public void Emit()
    {
        Console.Out.WriteLine(ToString());
        Console.Out.Flush();
    }
}
