using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Payments;

namespace Tally.Invoicer.Closing;

/// <summary>
/// The leased tasks of one run in a batch, with what the steps need to work on them: the run, its
/// customers, and whether the run's tenant has a payment processor app installed (<see cref="Pushes"/>:
/// issued invoices then go on to the push step).
/// </summary>
internal sealed record RunBatch(CloseRun Run, IReadOnlyList<CloseTask> Tasks, IReadOnlyDictionary<string, Customer> Customers, bool Pushes)
{
    /// <summary>Groups leased tasks by run and loads each run and its customers in a few reads (a task whose run or customer vanished is left out and reported).</summary>
    public static async Task<(IReadOnlyList<RunBatch> Batches, IReadOnlyList<CloseTask> Orphans)> LoadAsync(
        IReadOnlyList<CloseTask> tasks, ICloseRunStore runs, ICustomerStore customers, IPaymentProcessor payments, CancellationToken cancellationToken)
    {
        var batches = new List<RunBatch>();
        var orphans = new List<CloseTask>();
        foreach (var group in tasks.GroupBy(t => (t.TenantId, t.RunId)))
        {
            var run = await runs.GetAsync(group.Key.TenantId, group.Key.RunId, cancellationToken, withProgress: false);
            if (run is null)
            {
                orphans.AddRange(group);
                continue;
            }

            var found = (await customers.GetManyAsync(run.TenantId, [.. group.Select(t => t.CustomerId)], cancellationToken)).ToDictionary(c => c.Id, StringComparer.Ordinal);
            var kept = new List<CloseTask>();
            foreach (var task in group)
            {
                (found.ContainsKey(task.CustomerId) ? kept : orphans).Add(task);
            }

            batches.Add(new RunBatch(run, kept, found, await payments.IsConnectedAsync(run.TenantId, cancellationToken)));
        }

        return (batches, orphans);
    }

    /// <summary>The customers of the batch in task order.</summary>
    public IReadOnlyList<Customer> CustomerList => [.. Tasks.Select(t => Customers[t.CustomerId])];

    /// <summary>The closed periods before the run's whose late usage this run bills, latest first.</summary>
    public IEnumerable<BillingPeriod> LatePeriods(int count, IReadOnlySet<(string TenantId, BillingPeriod Period)> closed)
    {
        if (Run.Kind != CloseRunKind.Close)
        {
            yield break;
        }

        var period = Run.Period;
        for (var i = 0; i < count; i++)
        {
            var month = period.From.AddMonths(-(i + 1));
            var earlier = new BillingPeriod(month.Year, month.Month);
            if (closed.Contains((Run.TenantId, earlier)))
            {
                yield return earlier;
            }
        }
    }
}
