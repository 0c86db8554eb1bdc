using Microsoft.Extensions.Diagnostics.HealthChecks;
using Recipes.Core;

namespace Recipes.Configuration;

/// <summary>
/// Reports the ZooKeeper configuration providers of the application's configuration: the registration's failure status
/// while an update is rejected (a malformed document or a failed validation; the last good value is in force),
/// Degraded while the keys come from the local snapshot or the connection is not connected, Healthy otherwise.
/// </summary>
public sealed class ZooKeeperConfigurationHealthCheck : IHealthCheck
{
    private readonly IReadOnlyList<ZooKeeperConfigurationProvider> _providers;

    /// <summary>Creates the check over <paramref name="providers"/>.</summary>
    /// <param name="providers">The providers (from <c>IConfigurationRoot.Providers</c>).</param>
    public ZooKeeperConfigurationHealthCheck(IEnumerable<ZooKeeperConfigurationProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = [.. providers];
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var errors = new List<string>();
        var degraded = new List<string>();
        foreach (var provider in _providers)
        {
            foreach (var error in provider.CurrentErrors)
            {
                errors.Add($"{provider.Path}: {error}");
            }

            if (provider.IsFromSnapshot)
            {
                degraded.Add($"{provider.Path}: running from the local snapshot until ZooKeeper answers");
            }
            else if (!provider.Connection.State.IsConnected())
            {
                degraded.Add($"{provider.Path}: the connection is {provider.Connection.State}; the configuration may be stale");
            }
        }

        data["providers"] = _providers.Count;
        if (errors.Count > 0)
        {
            data["errors"] = errors;
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "Configuration updates from ZooKeeper are rejected; the last good values are in force: " + string.Join(" | ", errors), data: data));
        }

        if (degraded.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded(string.Join(" | ", degraded), data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy(_providers.Count == 0 ? "No ZooKeeper configuration source." : "Configuration from ZooKeeper is current.", data));
    }
}
