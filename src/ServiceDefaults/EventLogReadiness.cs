using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tally.Billing.EventLog;

namespace Tally.ServiceDefaults;

/// <summary>
/// The event log's part of <c>/readyz</c>: unhealthy while it refuses appends, degraded while it takes them but
/// cannot pass them on (an ingest buffer whose Kafka is away; still ready), with the log's own figures as data.
/// </summary>
public sealed class EventLogReadiness(IEventLog log) : IHealthCheck
{
    private static readonly IReadOnlyDictionary<string, object> NoDetails = new Dictionary<string, object>();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = log.Health;
        var data = health.Details ?? NoDetails;
        return Task.FromResult(
            !health.Ready ? HealthCheckResult.Unhealthy(health.Description, data: data)
            : health.Degraded ? HealthCheckResult.Degraded(health.Description, data: data)
            : HealthCheckResult.Healthy(health.Description, data));
    }
}
