using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;

namespace Tally.Invoicer.Closing;

/// <summary>Starts close runs: by hand (API, CLI) or by the scheduler. The workers do the rest.</summary>
public sealed class CloseRuns(ICloseRunStore runs, ICustomerStore customers, IOptions<CloseOptions> options, TimeProvider clock, ILogger<CloseRuns> logger)
{
    /// <summary>The code the runs pin: the informational version of the build that started them.</summary>
    public static string CodeVersion { get; } =
        typeof(CloseRuns).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// The longest a month can go on somewhere after it has ended in UTC: its end in UTC−12, the zone
    /// furthest behind. Until then plus the grace, a new customer or subscription can still start a
    /// period that ends in it, so its run takes new customers in.
    /// </summary>
    public static readonly TimeSpan LastZoneBehindUtc = TimeSpan.FromHours(12);

    /// <summary>
    /// Starts a run of the label <paramref name="period"/> for the tenant (or one customer). By hand a close
    /// starts once the label's month has ended in UTC (each customer's task then waits for its own period
    /// to end); a re-run needs the period closed before. Conflict on <c>period</c> when the tenant already
    /// has a (not dry) run closing the whole period.
    /// </summary>
    /// <exception cref="CloseRefusedException">The run cannot start; the message says why and which field.</exception>
    public async Task<CloseRun> StartAsync(string tenantId, BillingPeriod period, CloseRunKind kind, bool dryRun, string? customerIdOrKey, string requestedBy, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < period.To)
        {
            throw new CloseRefusedException("period", $"Period {period} ends at {period.To:yyyy-MM-ddTHH:mm:ssZ}; it can be closed after that.");
        }

        return await CreateAsync(tenantId, period, kind, dryRun, customerIdOrKey, requestedBy, now, cancellationToken);
    }

    /// <summary>
    /// The scheduler's close of a label whose month has not ended in UTC yet, because a customer's period
    /// of it already has (an anniversary, a zone ahead of UTC): the other customers wait in Freeze.
    /// </summary>
    public Task<CloseRun> StartEarlyAsync(string tenantId, BillingPeriod period, CancellationToken cancellationToken) =>
        CreateAsync(tenantId, period, CloseRunKind.Close, dryRun: false, null, "scheduler", clock.GetUtcNow(), cancellationToken);

    /// <summary>
    /// The labels (of the current month in UTC and the next) that a subscription's period, on its cycle in
    /// its customer's zone, ended in at least the grace ago, and that are not in <paramref name="started"/>.
    /// </summary>
    public IReadOnlyList<BillingPeriod> DueEarly(IEnumerable<(Subscription Subscription, TimeZoneInfo Zone)> subscriptions, IReadOnlySet<BillingPeriod> started)
    {
        var now = clock.GetUtcNow();
        var current = BillingPeriod.Containing(now);
        var candidates = new[] { current, current.AddMonths(1) }.Where(label => !started.Contains(label)).ToList();
        var due = new List<BillingPeriod>();
        foreach (var (subscription, zone) in subscriptions)
        {
            foreach (var label in candidates.Except(due))
            {
                var (from, to) = BillingPeriods.Cycle(subscription, zone).PeriodOf(label);
                if (subscription.Overlaps(from, to) && to + options.Value.Grace <= now)
                {
                    due.Add(label);
                }
            }
        }

        return [.. due.OrderBy(label => label.From)];
    }

    /// <summary>Whether the run of <paramref name="label"/> still takes customers created after it started (<see cref="LastZoneBehindUtc"/>).</summary>
    public bool TakesNewCustomers(BillingPeriod label) => clock.GetUtcNow() < label.To + LastZoneBehindUtc + options.Value.Grace;

    private async Task<CloseRun> CreateAsync(string tenantId, BillingPeriod period, CloseRunKind kind, bool dryRun, string? customerIdOrKey, string requestedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (kind == CloseRunKind.Rerun && !(await runs.ClosedPeriodsAsync(cancellationToken)).Contains((tenantId, period)))
        {
            throw new CloseRefusedException("period", $"Period {period} has not been closed; close it before re-running it.");
        }

        IReadOnlyList<string> customerIds;
        string? customerId = null;
        if (customerIdOrKey is not null)
        {
            var customer = await customers.GetAsync(tenantId, customerIdOrKey, cancellationToken)
                ?? throw new CloseRefusedException("customerId", $"'{customerIdOrKey}' is not one of your customers.");
            customerIds = [customerId = customer.Id];
        }
        else
        {
            customerIds = [.. (await customers.ListAsync(tenantId, cancellationToken)).Select(c => c.Id)];
        }

        var run = new CloseRun(tenantId, Ids.New("run"), period, kind, dryRun, customerId, requestedBy, CodeVersion, now);
        await runs.CreateAsync(run, customerIds, now, cancellationToken);
        InvoicerLog.RunStarted(logger, tenantId, run.Id, period.ToString(), customerIds.Count, kind.ToString(), dryRun ? ", dry run" : "");
        return await runs.GetAsync(tenantId, run.Id, cancellationToken) ?? run;
    }

    /// <summary>The periods whose close is due for a tenant created at <paramref name="tenantCreatedAt"/>: ended plus grace, not closed yet, oldest first.</summary>
    public IEnumerable<BillingPeriod> DuePeriods(DateTimeOffset tenantCreatedAt, IReadOnlySet<BillingPeriod> closed)
    {
        var now = clock.GetUtcNow();
        var period = BillingPeriod.Containing(tenantCreatedAt);
        while (period.To + options.Value.Grace <= now)
        {
            if (!closed.Contains(period))
            {
                yield return period;
            }

            period = BillingPeriod.Containing(period.To);
        }
    }
}

/// <summary>A close run that cannot start; <see cref="Field"/> is the request field to fix.</summary>
public sealed class CloseRefusedException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
