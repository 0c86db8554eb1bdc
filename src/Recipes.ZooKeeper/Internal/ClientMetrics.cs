using System.Diagnostics.Metrics;

namespace Recipes.ZooKeeper.Internal;

/// <summary>The client's instruments, on one <see cref="Meter"/> named after the assembly.</summary>
internal static class ClientMetrics
{
    public const string MeterName = "Recipes.ZooKeeper";

    public static readonly Meter Meter = new(MeterName, typeof(ClientMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Operations = Meter.CreateCounter<long>(
        "zookeeper.client.operations", "{operation}", "Operations completed, by operation and outcome.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "zookeeper.client.operation.duration", "ms", "Time from handing a request to the writer to its reply.");

    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "zookeeper.client.reconnects", "{connection}", "Connections established after the first one of a session.");

    public static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>(
        "zookeeper.client.requests.in_flight", "{request}", "Requests written and awaiting their reply.");

    public static void Completed(Request request, string outcome, TimeProvider time)
    {
        if (Operations.Enabled)
        {
            Operations.Add(1, new KeyValuePair<string, object?>("zookeeper.operation", OpName(request)), new KeyValuePair<string, object?>("outcome", outcome));
        }

        if (Duration.Enabled && request.StartTimestamp != 0)
        {
            var ms = time.GetElapsedTime(request.StartTimestamp).TotalMilliseconds;
            Duration.Record(ms, new KeyValuePair<string, object?>("zookeeper.operation", OpName(request)));
        }
    }

    private static string OpName(Request request) => request.OpCode switch
    {
        Protocol.OpCode.Create or Protocol.OpCode.Create2 or Protocol.OpCode.CreateContainer or Protocol.OpCode.CreateTtl => "create",
        Protocol.OpCode.Delete => "delete",
        Protocol.OpCode.Exists => "exists",
        Protocol.OpCode.GetData => "get_data",
        Protocol.OpCode.SetData => "set_data",
        Protocol.OpCode.GetChildren or Protocol.OpCode.GetChildren2 => "get_children",
        Protocol.OpCode.Multi => "multi",
        _ => request.OpCode.ToString().ToLowerInvariant(),
    };
}
