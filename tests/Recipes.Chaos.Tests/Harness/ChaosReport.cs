using System.Text.Json;
using System.Text.Json.Serialization;
using Recipes.Chaos.Tests.History;

namespace Recipes.Chaos.Tests.Harness;

/// <summary>
/// The figures of one chaos run; printed by the test and appended as one JSON line to
/// <c>artifacts/chaos/chaos-report.jsonl</c> (format documented in recipes-docs/reliability.md).
/// </summary>
internal sealed record ChaosReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Scenario { get; init; }

    public required string Mode { get; init; }

    public required int Seed { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required double DurationSeconds { get; init; }

    public required double FaultPhaseSeconds { get; init; }

    public required int Actors { get; init; }

    public required bool Ensemble { get; init; }

    /// <summary>Per workload: acquisitions (locks granted, terms won).</summary>
    public required IReadOnlyDictionary<string, int> Acquisitions { get; init; }

    /// <summary>Per workload: failed operations that were retried (connection loss, expiry...).</summary>
    public required IReadOnlyDictionary<string, int> Errors { get; init; }

    /// <summary>Injected faults by kind.</summary>
    public required IReadOnlyDictionary<string, int> Faults { get; init; }

    public required int FaultsTotal { get; init; }

    public required int FaultsSkipped { get; init; }

    /// <summary>LostToken firings seen (holds that ended as lost).</summary>
    public required int LostTokens { get; init; }

    /// <summary>Overlaps excused because the earlier holder's session was ended behind its back (pause, session kill): only fencing protects those.</summary>
    public required int FencedOverlaps { get; init; }

    public required int WritesAccepted { get; init; }

    public required int StaleWritesRejected { get; init; }

    /// <summary>Per resource: time from the end of each fault to the next acquisition, in ms.</summary>
    public required IReadOnlyDictionary<string, Percentiles> RecoveryMs { get; init; }

    /// <summary>Per quiescent check: how long after the final heal the system converged, in ms.</summary>
    public required IReadOnlyDictionary<string, double> ConvergenceMs { get; init; }

    public required int Violations { get; init; }

    /// <summary>The first violations, as text (empty when there were none).</summary>
    public required IReadOnlyList<string> ViolationDetails { get; init; }

    public string ToJsonLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>Time from each fault end to the next acquisition of each resource.</summary>
    public static IReadOnlyDictionary<string, Percentiles> Recovery(IReadOnlyList<HistoryEvent> history)
    {
        var ends = history.Where(e => e.Kind == HistoryEventKind.FaultEnded).Select(e => e.At).ToList();
        var result = new SortedDictionary<string, Percentiles>(StringComparer.Ordinal);
        foreach (var resource in history.Where(e => e.Kind == HistoryEventKind.Acquired).Select(e => e.Resource).Distinct())
        {
            var acquisitions = history.Where(e => e.Kind == HistoryEventKind.Acquired && e.Resource == resource).Select(e => e.At).ToList();
            var samples = new List<double>();
            foreach (var end in ends)
            {
                var next = acquisitions.FirstOrDefault(a => a >= end, TimeSpan.MinValue);
                if (next != TimeSpan.MinValue)
                {
                    samples.Add((next - end).TotalMilliseconds);
                }
            }

            result[resource] = Percentiles.Of(samples);
        }

        return result;
    }

    /// <summary>A human-readable summary for the test output.</summary>
    public string Describe() =>
        $"""
        chaos {Scenario} ({Mode} mode) seed {Seed} (replay: {ChaosSettings.SeedVariable}={Seed}), {DurationSeconds:0.0} s, {Actors} actors{(Ensemble ? " on a 3-node ensemble" : "")}
          acquisitions: {string.Join(", ", Acquisitions.Select(p => $"{p.Key} {p.Value}"))}; retried errors: {string.Join(", ", Errors.Select(p => $"{p.Key} {p.Value}"))}
          faults: {FaultsTotal} ({string.Join(", ", Faults.Select(p => $"{p.Key} {p.Value}"))}), skipped {FaultsSkipped}
          lost tokens: {LostTokens}; fenced overlaps: {FencedOverlaps}; writes accepted {WritesAccepted}, stale writes rejected {StaleWritesRejected}
          recovery after a fault (ms): {string.Join("; ", RecoveryMs.Select(p => $"{p.Key} {p.Value}"))}
          convergence after the last fault (ms): {string.Join("; ", ConvergenceMs.Select(p => $"{p.Key} {p.Value:0}"))}
          violations: {Violations}{string.Concat(ViolationDetails.Select(v => "\n    " + v))}
        """;

    /// <summary>Appends the JSON line to <c>artifacts/chaos/chaos-report.jsonl</c> under the repository root; returns the path.</summary>
    public string Append()
    {
        var directory = Path.Combine(RepositoryRoot(), "artifacts", "chaos");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "chaos-report.jsonl");
        lock (Json)
        {
            File.AppendAllText(path, ToJsonLine() + "\n");
        }

        return path;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recipes.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
