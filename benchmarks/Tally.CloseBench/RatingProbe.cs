using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;

namespace Tally.CloseBench;

/// <summary>
/// Rating alone, as the close's draft step does it, over the usage the run froze: per batch of
/// customers, what billing them needs (their catalogs from the ledger: subscriptions, plan versions,
/// entitlements, meters), then the pricing of the frozen totals. Nothing is written.
/// </summary>
internal static class RatingProbe
{
    public static async Task<(TimeSpan Demands, TimeSpan Pricing, decimal Total)> RunAsync(IServiceProvider services, string tenantId, string runId, int batchSize)
    {
        var rating = services.GetRequiredService<IPeriodRating>();
        var runs = services.GetRequiredService<ICloseRunStore>();
        var customers = (await services.GetRequiredService<ICustomerStore>().ListAsync(tenantId, CancellationToken.None)).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        var frozen = (await runs.FrozenUsageAsync(tenantId, runId, [.. customers.Select(c => c.Id)], CancellationToken.None))
            .ToLookup(f => f.CustomerId);
        var period = new BillingPeriod(2026, 10);
        var demandTime = TimeSpan.Zero;
        var pricingTime = TimeSpan.Zero;
        var total = 0m;
        foreach (var batch in customers.Chunk(batchSize))
        {
            var watch = Stopwatch.StartNew();
            var demands = await rating.DemandsAsync(tenantId, batch, period, CancellationToken.None);
            demandTime += watch.Elapsed;
            watch.Restart();
            foreach (var demand in demands)
            {
                total += rating.Rate(demand, frozen[demand.Customer.Id].Where(f => f.Covers == period).ToDictionary(f => f.UsageKey, f => f.Quantity, StringComparer.Ordinal)).Total.Amount;
            }

            pricingTime += watch.Elapsed;
        }

        return (demandTime, pricingTime, total);
    }
}
