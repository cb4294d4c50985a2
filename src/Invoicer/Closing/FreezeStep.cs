using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Closing;
using Tally.Billing.Customers;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Freezes a batch's usage once it may: after each customer's period (of the run's label, in its time
/// zone and on its subscriptions' cycles) has ended plus the grace, and after the aggregator has stored everything the event log acknowledged until then (a
/// snapshot of the log's ends, reached by the aggregator's committed positions). The cutoff is the usage
/// store's clock at that moment; the totals per customer are what the invoice bills, and anything
/// stored later is late usage, billed with the next period.
/// </summary>
internal sealed class FreezeStep(IPeriodRating rating, IClosingUsage usage, IUsageWatermark watermark, ICloseRunStore runs, CloseOptions options)
{
    private static readonly TimeSpan WatermarkPoll = TimeSpan.FromSeconds(1);

    // Shared by the worker's concurrent batches: replaced whole, never changed in place.
    private volatile Snapshot? _snapshot;

    /// <summary>The batch's outcomes; <paramref name="demands"/> are its customers' demands of the run's period (none: nothing to bill).</summary>
    public async Task<IReadOnlyList<CloseOutcome>> RunAsync(RunBatch batch, Transitions transitions, IReadOnlyDictionary<string, BillingDemand> demands, CancellationToken cancellationToken)
    {
        var run = batch.Run;
        var outcomes = new List<CloseOutcome>();
        var ready = new List<(CloseTask Task, BillingDemand Demand)>();
        foreach (var task in batch.Tasks)
        {
            if (!demands.TryGetValue(task.CustomerId, out var demand))
            {
                // Final only once the label's month has ended in the customer's zone: until then a new
                // subscription can still start a period that ends in it.
                var monthEnd = BillingCycle.CalendarMonth(TimeZones.Find(batch.Customers[task.CustomerId].TimeZone)).PeriodOf(run.Period).To + options.Grace;
                outcomes.Add(monthEnd > transitions.Now
                    ? transitions.Wait(task, monthEnd, $"nothing to bill yet; waiting for {run.Period} to end in the customer's time zone plus {options.GraceMinutes} min grace")
                    : transitions.Move(task, CloseStep.Done, transitions.Entry(task, CloseStep.Freeze, "nothing to bill", "no subscription in force in the period")));
            }
            else if (demand.DueAt + options.Grace > transitions.Now)
            {
                outcomes.Add(transitions.Wait(task, demand.DueAt + options.Grace, $"waiting for the period to end plus {options.GraceMinutes} min grace"));
            }
            else
            {
                ready.Add((task, demand));
            }
        }

        if (ready.Count == 0)
        {
            return outcomes;
        }

        // A snapshot taken after every window of the batch ended (plus grace) covers everything acknowledged in them.
        var latestDue = ready.Max(r => r.Demand.DueAt + options.Grace);
        var snapshot = _snapshot;
        if (snapshot is null || snapshot.TakenAt < latestDue)
        {
            _snapshot = snapshot = new Snapshot(await watermark.SnapshotAsync(cancellationToken), transitions.Now);
        }

        if (!await watermark.ReachedAsync(snapshot.Positions, cancellationToken))
        {
            outcomes.AddRange(ready.Select(r => transitions.Wait(r.Task, transitions.Now + WatermarkPoll, "waiting for the aggregator to store every event acknowledged before the period's grace ended")));
            return outcomes;
        }

        var cutoff = await usage.CutoffAsync(cancellationToken);
        var frozen = await FreezeAsync(run.Period, ready.Select(r => r.Demand).ToList(), cutoff, cancellationToken);
        var late = await FreezeLateAsync(batch, ready.Select(r => r.Task.CustomerId).ToList(), cutoff, cancellationToken);
        foreach (var (task, demand) in ready)
        {
            var rows = frozen.GetValueOrDefault(task.CustomerId, []).Concat(late.GetValueOrDefault(task.CustomerId, [])).ToList();
            outcomes.Add(transitions.Move(task, CloseStep.Draft, transitions.Entry(task, CloseStep.Freeze, "usage frozen", new
            {
                cutoff,
                window = new { from = demand.From, to = demand.To },
                period = new { from = demand.Input.From, to = demand.Input.To, timeZone = demand.Customer.TimeZone },
                planVersion = demand.PlanVersion,
                logPositions = snapshot.Positions,
                usage = rows.Select(f => new { f.UsageKey, covers = f.Covers.ToString(), f.Quantity }),
            })) with { Frozen = rows });
        }

        return outcomes;
    }

    /// <summary>Each customer's usage of every demand over its window, one statement per meter and window.</summary>
    private async Task<Dictionary<string, List<FrozenUsage>>> FreezeAsync(BillingPeriod covers, IReadOnlyList<BillingDemand> demands, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var frozen = new Dictionary<string, List<FrozenUsage>>(StringComparer.Ordinal);
        var groups = demands
            .SelectMany(d => d.Usage.Select(u => (Demand: d, Usage: u)))
            .GroupBy(x => (x.Usage.Key, x.Usage.Meter.Id, Filter: FilterKey(x.Usage), x.Usage.From, x.Usage.To));
        foreach (var group in groups)
        {
            var first = group.First().Usage;
            var bySubject = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (demand, _) in group)
            {
                foreach (var subject in demand.Customer.SubjectKeys)
                {
                    bySubject[subject] = demand.Customer.Id;
                }
            }

            var totals = await usage.TotalsByCustomerAsync(first.Meter, first.FilterGroupBy, bySubject, group.Key.From, group.Key.To, cutoff, cancellationToken);
            foreach (var (demand, demanded) in group)
            {
                Add(frozen, demand.Customer.Id, new FrozenUsage(demand.Customer.Id, demanded.Key, covers, totals.GetValueOrDefault(demand.Customer.Id), cutoff));
            }
        }

        return frozen;
    }

    /// <summary>The usage of earlier closed periods as stored now, for the customers that were invoiced for them; the draft bills any difference.</summary>
    private async Task<Dictionary<string, List<FrozenUsage>>> FreezeLateAsync(RunBatch batch, IReadOnlyList<string> customerIds, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var late = new Dictionary<string, List<FrozenUsage>>(StringComparer.Ordinal);
        if (options.LateUsagePeriods == 0 || batch.Run.Kind != CloseRunKind.Close)
        {
            return late;
        }

        var closed = await runs.ClosedPeriodsAsync(cancellationToken);
        foreach (var period in batch.LatePeriods(options.LateUsagePeriods, closed))
        {
            var invoiced = await runs.InvoicedAsync(batch.Run.TenantId, customerIds, period, cancellationToken);
            var customers = customerIds.Where(invoiced.ContainsKey).Select(id => batch.Customers[id]).ToList();
            if (customers.Count == 0)
            {
                continue;
            }

            var demands = await rating.DemandsAsync(batch.Run.TenantId, customers, period, cancellationToken);
            foreach (var (customer, rows) in await FreezeAsync(period, demands, cutoff, cancellationToken))
            {
                late.TryAdd(customer, []);
                late[customer].AddRange(rows);
            }
        }

        return late;
    }

    private static void Add(Dictionary<string, List<FrozenUsage>> frozen, string customerId, FrozenUsage usage)
    {
        if (!frozen.TryGetValue(customerId, out var rows))
        {
            frozen[customerId] = rows = [];
        }

        rows.Add(usage);
    }

    /// <summary>The log's end positions, and when they were read.</summary>
    private sealed record Snapshot(IReadOnlyList<long> Positions, DateTimeOffset TakenAt);

    private static string FilterKey(UsageDemand usage) =>
        string.Join('&', usage.FilterGroupBy.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={string.Join('|', f.Value)}"));
}
