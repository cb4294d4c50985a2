using System.Diagnostics;
using Tally.Billing.Rating;

namespace Tally.RatingBench;

/// <summary>
/// Compares live bills with what the harness computed. A bill matches when its total is the expected
/// total and, for a plan pricing usage, its usage line's quantity is the customer's exact token count
/// (the total alone can match early: a package not yet full, a free tier, a grant not yet used up).
/// Bills are read through <see cref="ILiveBills"/>, the grain call the charges and invoice routes make.
/// </summary>
public sealed class BillCheck(ILiveBills bills, string tenantId, IReadOnlyList<BenchCustomer> customers, decimal[] tokens)
{
    public decimal ExpectedTotal(BenchCustomer customer) => BenchPlans.ExpectedTotal(customer.Plan, tokens[customer.Index], customer.Grant);

    public async Task<(bool Match, string Seen)> CheckAsync(BenchCustomer customer, CancellationToken cancellationToken)
    {
        var bill = await bills.CurrentAsync(tenantId, customer.Id, cancellationToken);
        if (bill is null)
        {
            return (false, "no bill");
        }

        var quantity = bill.Lines.Where(l => l.FeatureKey == "tokens").Sum(l => l.Quantity);
        var total = bill.Total.Amount;
        var match = total == ExpectedTotal(customer) && (!BenchPlans.PricesUsage(customer.Plan) || quantity == tokens[customer.Index]);
        return (match, $"total {total}, tokens {quantity}");
    }

    /// <summary>
    /// Polls the customers until each matches (or <paramref name="timeout"/>), concurrently; returns the
    /// <see cref="Stopwatch"/> timestamp at which each was first seen matching (0: never), and how long a pass took at most.
    /// </summary>
    public async Task<(long[] MatchedAt, double SlowestPassMs)> PollAsync(IReadOnlyList<BenchCustomer> sample, int concurrency, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var matchedAt = new long[sample.Count];
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var slowest = 0.0;
        var open = Enumerable.Range(0, sample.Count).ToList();
        while (open.Count > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            var pass = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                if ((await CheckAsync(sample[i], ct)).Match)
                {
                    matchedAt[i] = Stopwatch.GetTimestamp();
                }
            });
            slowest = Math.Max(slowest, Stopwatch.GetElapsedTime(pass).TotalMilliseconds);
            open = [.. open.Where(i => matchedAt[i] == 0)];
        }

        return (matchedAt, slowest);
    }

    /// <summary>Checks every customer once; returns those whose bill does not match, with what it showed.</summary>
    public async Task<IReadOnlyList<(BenchCustomer Customer, string Seen)>> MismatchesAsync(IEnumerable<BenchCustomer> which, int concurrency, CancellationToken cancellationToken)
    {
        var wrong = new System.Collections.Concurrent.ConcurrentBag<(BenchCustomer, string)>();
        await Parallel.ForEachAsync(which, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (customer, ct) =>
        {
            var (match, seen) = await CheckAsync(customer, ct);
            if (!match)
            {
                wrong.Add((customer, seen));
            }
        });
        return [.. wrong.OrderBy(w => w.Item1.Index)];
    }

    public IReadOnlyList<BenchCustomer> Customers => customers;
}
