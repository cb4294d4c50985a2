using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Events;
using Tally.Billing.Tenants;

namespace Tally.Aggregator;

/// <summary>
/// Applies each tenant's event retention (default: keep forever) every
/// <see cref="AggregatorOptions.RetentionIntervalMinutes"/>: events dated before now minus the
/// tenant's retention leave the usage store. Several aggregators may run it at once; deleting is idempotent.
/// </summary>
public sealed class RetentionWorker(
    ITenantStore tenants,
    IEventStore events,
    TimeProvider clock,
    IOptions<AggregatorOptions> options,
    ILogger<RetentionWorker> logger) : BackgroundService
{
    /// <summary>One pass over every tenant with a retention; returns how many tenants it trimmed.</summary>
    public async Task<int> ApplyOnceAsync(CancellationToken cancellationToken)
    {
        var trimmed = 0;
        foreach (var tenant in await tenants.ListAsync(cancellationToken))
        {
            if (tenant.RetentionDays is { } days)
            {
                var before = clock.GetUtcNow().AddDays(-days);
                await events.DeleteBeforeAsync(tenant.Id, before, cancellationToken);
                AggregatorLog.RetentionApplied(logger, tenant.Id, before);
                trimmed++;
            }
        }

        return trimmed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.RetentionIntervalMinutes), clock);
        do
        {
            try
            {
                await ApplyOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                AggregatorLog.RetentionFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
