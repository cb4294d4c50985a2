using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tally.ServiceDefaults;

/// <summary>Ready when a dependency answers a trivial request (a ledger lookup, <c>SELECT 1</c>).</summary>
public sealed class ReadinessProbe(string failure, Func<CancellationToken, Task> probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await probe(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(failure, ex);
        }
    }

    public static HealthCheckRegistration Register(string name, string failure, Func<IServiceProvider, CancellationToken, Task> probe) =>
        new(name, services => new ReadinessProbe(failure, cancellationToken => probe(services, cancellationToken)), failureStatus: null, tags: null);
}
