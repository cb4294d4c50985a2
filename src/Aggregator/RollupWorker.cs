using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Aggregator;

/// <summary>
/// Keeps the hourly roll-ups current: every <see cref="AggregatorOptions.RollupIntervalSeconds"/> it
/// recomputes, for every meter, the settled hours whose events changed since their last roll-up (new
/// hours once they have had <see cref="AggregatorOptions.RollupLatenessMinutes"/> for late events,
/// and any hour a late event touched later, and all past hours of a meter created after its events).
/// Several aggregators may run it at once: a roll-up replaces the hour's rows, so doing one twice is harmless.
/// </summary>
public sealed class RollupWorker(
    IMeterStore meters,
    IUsageRollups rollups,
    TimeProvider clock,
    IOptions<AggregatorOptions> options,
    ILogger<RollupWorker> logger) : BackgroundService
{
    private const int HoursPerMeterAndPass = 200;

    /// <summary>One pass over every meter; returns how many meter-hours it rolled up.</summary>
    public async Task<int> RollUpOnceAsync(CancellationToken cancellationToken)
    {
        var settledBefore = clock.GetUtcNow().AddHours(-1).AddMinutes(-options.Value.RollupLatenessMinutes);
        var done = 0;
        foreach (var meter in await meters.ListAllAsync(cancellationToken))
        {
            foreach (var hour in await rollups.PendingAsync(meter, settledBefore, HoursPerMeterAndPass, cancellationToken))
            {
                await rollups.RollUpAsync(meter, hour, cancellationToken);
                done++;
            }
        }

        if (done > 0)
        {
            AggregatorLog.RolledUp(logger, done);
        }

        return done;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RollupIntervalSeconds), clock);
        do
        {
            try
            {
                await RollUpOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                AggregatorLog.RollupFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
