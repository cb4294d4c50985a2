using System.Collections.Concurrent;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Invoices;
using Tally.Billing.Usage;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Rates the frozen usage with rating's code, adds late usage of earlier periods as adjustment lines,
/// runs the data-quality checks and either holds the draft for a person or issues it at once (in the
/// same transaction). A dry run records what it would invoice and stops. A re-run of a closed period
/// makes an adjustment invoice or a credit note for the difference, never an edit.
/// </summary>
internal sealed class DraftStep(IPeriodRating rating, IClosingUsage usage, IUsageRollups rollups, ICloseRunStore runs, CloseOptions options)
{
    private readonly ConcurrentDictionary<(string RunId, string MeterId, DateTimeOffset From, DateTimeOffset To), bool> _reconciled = new();

    /// <summary>Drafts tasks leased at this step: their frozen usage from the ledger, their demands as rating makes them now.</summary>
    public async Task<IReadOnlyList<CloseOutcome>> RunAsync(RunBatch batch, Transitions transitions, CancellationToken cancellationToken)
    {
        var run = batch.Run;
        var frozen = (await runs.FrozenUsageAsync(run.TenantId, run.Id, [.. batch.Tasks.Select(t => t.CustomerId)], cancellationToken)).ToLookup(f => f.CustomerId);
        var demands = (await rating.DemandsAsync(run.TenantId, batch.CustomerList, run.Period, cancellationToken)).ToDictionary(d => d.Customer.Id, StringComparer.Ordinal);
        return await DraftAsync(batch, transitions, frozen, demands, cancellationToken);
    }

    /// <summary>
    /// Drafts the batch's tasks over <paramref name="frozen"/> usage and <paramref name="demands"/> already at hand: those of
    /// the ledger, or those the freeze of the same batch has just made and commits with these outcomes.
    /// </summary>
    public async Task<IReadOnlyList<CloseOutcome>> DraftAsync(RunBatch batch, Transitions transitions, ILookup<string, FrozenUsage> frozen, IReadOnlyDictionary<string, BillingDemand> demands, CancellationToken cancellationToken)
    {
        var run = batch.Run;
        var customerIds = batch.Tasks.Select(t => t.CustomerId).ToList();
        var invoicedNow = run.Kind == CloseRunKind.Rerun ? await runs.InvoicedAsync(run.TenantId, customerIds, run.Period, cancellationToken) : null;
        var previous = await runs.InvoicedAsync(run.TenantId, customerIds, Previous(run.Period), cancellationToken);
        var live = run.Kind == CloseRunKind.Close ? await runs.LiveInvoicesAsync(run.TenantId, customerIds, run.Period, cancellationToken) : new Dictionary<string, (string, string?)>();
        var outcomes = new List<CloseOutcome>();
        foreach (var task in batch.Tasks)
        {
            try
            {
                if (!demands.TryGetValue(task.CustomerId, out var demand))
                {
                    outcomes.Add(transitions.Move(task, CloseStep.Done, transitions.Entry(task, CloseStep.Draft, "nothing to bill", "no subscription in force in the period")));
                    continue;
                }

                if (live.TryGetValue(task.CustomerId, out var existing) && existing.RunId != run.Id && !run.DryRun)
                {
                    throw new InvalidOperationException($"Customer {task.CustomerId} already has invoice {existing.InvoiceId} for {run.Period} (close run {existing.RunId}); re-run the period to correct it.");
                }

                var rows = frozen[task.CustomerId].ToList();
                var cutoff = rows.Count > 0 ? rows.Max(r => r.Cutoff) : transitions.Now;
                var rated = rating.Rate(demand, Usage(rows, run.Period));
                var document = run.Kind == CloseRunKind.Rerun
                    ? InvoiceDrafting.Correction(Ids.New("inv"), run.Id, demand, rated, invoicedNow!.GetValueOrDefault(task.CustomerId) ?? new InvoicedPeriod(0m, null, null, 0m), cutoff, transitions.Now)
                    : InvoiceDrafting.Draft(Ids.New("inv"), run.Id, demand, rated, await LateLinesAsync(batch, task, rows, cutoff, cancellationToken), cutoff, transitions.Now);
                var ratedEntry = transitions.Entry(task, CloseStep.Draft, "rated", new
                {
                    planVersion = demand.PlanVersion,
                    total = document?.Total ?? 0m,
                    lines = document?.Lines.Select(l => new { l.Key, l.Quantity, l.Amount }) ?? [],
                });
                if (document is null)
                {
                    outcomes.Add(transitions.Move(task, CloseStep.Done, ratedEntry, transitions.Entry(task, CloseStep.Draft, "nothing to correct", "the period rates as invoiced")));
                    continue;
                }

                if (run.DryRun)
                {
                    outcomes.Add(transitions.Move(task, CloseStep.Done, ratedEntry, transitions.Entry(task, CloseStep.Draft, "dry run", "nothing stored, issued or pushed")));
                    continue;
                }

                var unreconciled = await UnreconciledMetersAsync(run, demand, cancellationToken);
                var issues = InvoiceChecks.Run(document, previous.GetValueOrDefault(task.CustomerId)?.Total, unreconciled, options.Checks);
                document = document with { Issues = issues };
                var checkedEntry = transitions.Entry(task, CloseStep.Draft, issues.Count == 0 ? "checks passed" : "checks found issues", issues);
                if (InvoiceChecks.NeedsApproval(document, issues, options.Checks))
                {
                    outcomes.Add(transitions.AwaitSignal(task, CloseStep.Approval, ratedEntry, checkedEntry, transitions.Entry(task, CloseStep.Approval, "approval required",
                        issues.Any(i => i.Severity == InvoiceIssue.Critical) ? "a check found a critical issue" : $"total above {options.ApprovalAbove}")) with
                    {
                        Draft = document with { Status = InvoiceStatus.PendingApproval },
                        InvoiceId = document.Id,
                        Event = new BillingEvent("invoice.approval_required", run.TenantId, document.Id, JsonSerializer.Serialize(new { runId = run.Id, customerId = task.CustomerId, total = document.Total, issues }, JsonSerializerOptions.Web)),
                    });
                    continue;
                }

                outcomes.Add(transitions.Move(task, batch.Pushes ? CloseStep.Push : CloseStep.Done, ratedEntry, checkedEntry,
                    transitions.Entry(task, CloseStep.Approval, "approved automatically"), transitions.Entry(task, CloseStep.Issue, "issued")) with
                {
                    Draft = document,
                    InvoiceId = document.Id,
                    Issue = true,
                });
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // One customer's failure is its own: the others of the batch go on.
                outcomes.Add(transitions.Fail(task, error, IsPermanent(error)));
            }
        }

        return outcomes;
    }

    /// <summary>Errors that the same inputs will always raise again: retrying cannot help, a person must look.</summary>
    public static bool IsPermanent(Exception error) => error is Tally.Billing.Rating.RatingOverflowException or OverflowException or ArithmeticException or ArgumentException or FormatException or InvalidOperationException;

    private static BillingPeriod Previous(BillingPeriod period)
    {
        var month = period.From.AddMonths(-1);
        return new BillingPeriod(month.Year, month.Month);
    }

    private static DateTimeOffset Hour(DateTimeOffset instant, long roundUp) =>
        new((instant.UtcTicks + roundUp) / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);

    private static IReadOnlyDictionary<string, decimal> Usage(IEnumerable<FrozenUsage> rows, BillingPeriod covers) =>
        rows.Where(r => r.Covers == covers).ToDictionary(r => r.UsageKey, r => r.Quantity, StringComparer.Ordinal);

    /// <summary>One line per earlier closed period whose usage, as frozen now, rates differently from what was invoiced for it.</summary>
    private async Task<IReadOnlyList<InvoiceLine>> LateLinesAsync(RunBatch batch, CloseTask task, IReadOnlyList<FrozenUsage> rows, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var lines = new List<InvoiceLine>();
        var customer = batch.Customers[task.CustomerId];
        foreach (var covers in rows.Select(r => r.Covers).Where(p => p != batch.Run.Period).Distinct().OrderBy(p => p.From))
        {
            var demand = (await rating.DemandsAsync(batch.Run.TenantId, [customer], covers, cancellationToken)).SingleOrDefault();
            var invoiced = (await runs.InvoicedAsync(batch.Run.TenantId, [task.CustomerId], covers, cancellationToken)).GetValueOrDefault(task.CustomerId);
            if (demand is null || invoiced is null)
            {
                continue;
            }

            var rerated = rating.Rate(demand, Usage(rows, covers));
            long events = 0;
            foreach (var demanded in demand.Usage)
            {
                events += await usage.CountEventsAsync(demanded.Meter, demanded.FilterGroupBy, customer.SubjectKeys, demanded.From, demanded.To, invoiced.LastCutoff, cutoff, cancellationToken);
            }

            var detail = JsonSerializer.Serialize(new
            {
                covers = covers.ToString(),
                invoiced = invoiced.Net,
                rerated = rerated.Total.Amount,
                storedAfter = invoiced.LastCutoff,
                storedUntil = cutoff,
                events = $"/api/v1/events?subject={string.Join("&subject=", customer.SubjectKeys.Select(Uri.EscapeDataString))}&from={demand.From:yyyy-MM-ddTHH:mm:ssZ}&to={demand.To:yyyy-MM-ddTHH:mm:ssZ}&storedAtFrom={invoiced.LastCutoff:yyyy-MM-ddTHH:mm:ss.fffZ}&storedAtTo={cutoff:yyyy-MM-ddTHH:mm:ss.fffZ}",
            }, JsonSerializerOptions.Web);
            if (InvoiceDrafting.LateUsageLine(covers, rerated, invoiced, events, detail) is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    /// <summary>The demand's meters whose hourly roll-ups disagree with the events over its periods (checked once per run, meter and span: customers on one cycle share it).</summary>
    private async Task<IReadOnlyCollection<string>> UnreconciledMetersAsync(CloseRun run, BillingDemand demand, CancellationToken cancellationToken)
    {
        var unreconciled = new List<string>();
        foreach (var meter in demand.Usage.Select(u => u.Meter).DistinctBy(m => m.Id))
        {
            // Whole hours: roll-ups are hourly, and a period may turn at :15, :30 or :45 (Kathmandu, a local time's minutes).
            var key = (run.Id, meter.Id, Hour(demand.Input.From, 0), Hour(demand.Input.To, TimeSpan.TicksPerHour - 1));
            if (!_reconciled.TryGetValue(key, out var clean))
            {
                var differences = await rollups.ReconcileAsync(meter, key.Item3, key.Item4, cancellationToken);
                clean = _reconciled[key] = differences.All(d => d.Pending);
            }

            if (!clean)
            {
                unreconciled.Add(meter.Slug);
            }
        }

        return unreconciled;
    }
}
