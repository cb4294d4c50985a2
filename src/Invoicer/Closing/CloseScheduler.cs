using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Tenants;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Starts every tenant's close once a period has ended plus its grace, and catches up every period it
/// missed while nothing ran (from the month the tenant was created). One tenant's failure is logged and
/// retried on the next pass; the others go on. Two schedulers racing start one run: the ledger keeps one
/// close run per tenant and period.
/// </summary>
public sealed class CloseScheduler(ITenantStore tenants, ICloseRunStore runs, CloseRuns starter, IOptions<CloseOptions> options, TimeProvider clock, ILogger<CloseScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>One pass: starts every due close; returns the runs it started.</summary>
    public async Task<IReadOnlyList<CloseRun>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = new List<CloseRun>();
        var closed = await runs.ClosedPeriodsAsync(cancellationToken);
        foreach (var tenant in await tenants.ListAsync(cancellationToken))
        {
            var tenantClosed = closed.Where(c => c.TenantId == tenant.Id).Select(c => c.Period).ToHashSet();
            foreach (var period in starter.DuePeriods(tenant.CreatedAt, tenantClosed))
            {
                try
                {
                    started.Add(await starter.StartAsync(tenant.Id, period, CloseRunKind.Close, dryRun: false, null, "scheduler", cancellationToken));
                }
                catch (LedgerConflictException)
                {
                    // Another scheduler started it first.
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    InvoicerLog.ScheduleFailed(logger, error, tenant.Id, period.ToString());
                }
            }
        }

        return started;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ScheduleEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                InvoicerLog.ScheduleFailed(logger, error, "*", "*");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
