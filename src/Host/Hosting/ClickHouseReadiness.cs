using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tally.Core.ClickHouse;

namespace Tally.Host.Hosting;

/// <summary>Ready when ClickHouse answers a trivial query.</summary>
internal sealed class ClickHouseReadiness(IClickHouse clickHouse) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await clickHouse.QueryAsync("SELECT 1", null, record => record.GetValue(0), cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("ClickHouse does not answer.", ex);
        }
    }
}
