using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Recipes.Core;

/// <summary>
/// Reports the shared <see cref="IZooKeeperConnection"/>: healthy when connected, degraded while suspended or on a
/// read-only server, unhealthy when not connected or lost.
/// </summary>
public sealed class ZooKeeperHealthCheck(IZooKeeperConnection connection) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = connection.State;
        var session = connection.CurrentSession;
        var data = new Dictionary<string, object>
        {
            ["state"] = state.ToString(),
            ["session"] = session is null ? "none" : $"0x{session.SessionId:x}",
        };
        var description = $"ZooKeeper {state}{(session is null ? "" : $", session 0x{session.SessionId:x}")}";
        var result = state switch
        {
            ConnectionState.Connected or ConnectionState.Reconnected => HealthCheckResult.Healthy(description, data),
            ConnectionState.Suspended or ConnectionState.ReadOnly => HealthCheckResult.Degraded(description, data: data),
            _ => new HealthCheckResult(context.Registration.FailureStatus, description, data: data),
        };
        return Task.FromResult(result);
    }
}
