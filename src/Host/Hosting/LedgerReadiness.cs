using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tally.Core.Ledger;

namespace Tally.Host.Hosting;

/// <summary>Ready when the ledger answers a point lookup.</summary>
internal sealed class LedgerReadiness(ITenantStore tenants) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await tenants.GetAsync("tnt_readiness_probe", cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The ledger does not answer.", ex);
        }
    }
}
