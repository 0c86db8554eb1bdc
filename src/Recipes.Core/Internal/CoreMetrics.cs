using System.Diagnostics.Metrics;

namespace Recipes.Core.Internal;

/// <summary>Core's instruments, on one <see cref="Meter"/> named after the assembly.</summary>
internal static class CoreMetrics
{
    public const string MeterName = "Recipes.Core";

    public static readonly Meter Meter = new(MeterName, typeof(CoreMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> StateChanges = Meter.CreateCounter<long>(
        "zookeeper.connection.state_changes", "{change}", "Connection state changes, by new state.");

    public static readonly Counter<long> OwnershipLost = Meter.CreateCounter<long>(
        "zookeeper.connection.ownership_lost", "{session}", "Times ownership was given up, by reason.");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "zookeeper.connection.retries", "{retry}", "Operations retried after a transient failure.");
}
