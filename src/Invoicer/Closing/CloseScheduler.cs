using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Closing;
using Tally.Billing.Subscriptions;
using Tally.Billing.Tenants;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Starts every tenant's close of a label once its month has ended in UTC plus the grace, or earlier,
/// as soon as a customer's period of that label has (an anniversary, a zone ahead of UTC); catches up
/// every label it missed while nothing ran (from the month the tenant was created); and hands an open
/// run the customers created since it started, whose periods can still end in its label. One tenant's
/// failure is logged and retried on the next pass; the others go on. Two schedulers racing start one
/// run: the ledger keeps one close run per tenant and period.
/// </summary>
public sealed class CloseScheduler(
    ITenantStore tenants,
    ICloseRunStore runs,
    ISubscriptionStore subscriptions,
    CloseRuns starter,
    IOptions<CloseOptions> options,
    TimeProvider clock,
    ILogger<CloseScheduler> logger) : BackgroundService
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
            var due = starter.DuePeriods(tenant.CreatedAt, tenantClosed).Select(period => (Period: period, Early: false)).ToList();
            try
            {
                due.AddRange((await DueEarlyAsync(tenant.Id, tenantClosed.Union(due.Select(d => d.Period)).ToHashSet(), cancellationToken)).Select(period => (period, true)));
                await AdvanceAsync(tenant.Id, tenantClosed, cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                InvoicerLog.ScheduleFailed(logger, error, tenant.Id, "*");
            }

            foreach (var (period, early) in due)
            {
                try
                {
                    started.Add(early
                        ? await starter.StartEarlyAsync(tenant.Id, period, cancellationToken)
                        : await starter.StartAsync(tenant.Id, period, CloseRunKind.Close, dryRun: false, null, "scheduler", cancellationToken));
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

    /// <summary>Labels a subscription off the UTC calendar month makes due before their month ends in UTC.</summary>
    private async Task<IReadOnlyList<BillingPeriod>> DueEarlyAsync(string tenantId, IReadOnlySet<BillingPeriod> started, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var offCalendar = await subscriptions.ListOffCalendarAsync(tenantId, BillingPeriod.Containing(now).From.AddDays(-32), now, cancellationToken);
        return offCalendar.Count == 0 ? [] : starter.DueEarly(offCalendar.Select(s => (s.Subscription, TimeZones.Find(s.TimeZone))), started);
    }

    /// <summary>Adds the customers created since to the tenant's whole-tenant runs that can still take them.</summary>
    private async Task AdvanceAsync(string tenantId, IReadOnlySet<BillingPeriod> closed, CancellationToken cancellationToken)
    {
        var current = BillingPeriod.Containing(clock.GetUtcNow());
        foreach (var label in new[] { current.AddMonths(-1), current, current.AddMonths(1) }.Where(l => closed.Contains(l) && starter.TakesNewCustomers(l)))
        {
            foreach (var run in (await runs.ListAsync(tenantId, label, cancellationToken)).Where(r => r is { Kind: CloseRunKind.Close, DryRun: false, CustomerId: null }))
            {
                await runs.AddNewCustomersAsync(run, clock.GetUtcNow(), clock.GetUtcNow(), cancellationToken);
            }
        }
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
