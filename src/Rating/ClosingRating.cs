using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Rating;

namespace Tally.Rating;

/// <summary>
/// Rating as the period close asks for it: each customer's catalog (subscriptions with their plan
/// versions, entitlements, grants), the usage windows <see cref="PeriodRating.WindowsToMeasure"/> names
/// as demands the close freezes, then <see cref="PeriodRating.Rate"/> over the frozen totals — the code
/// of the live bill, so an invoice is what the customer watched accrue.
/// </summary>
public sealed class ClosingRating(CustomerCatalogLoader catalogs) : IPeriodRating
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoFilter = new Dictionary<string, IReadOnlyList<string>>();

    public async Task<IReadOnlyList<BillingDemand>> DemandsAsync(string tenantId, IReadOnlyList<Customer> customers, BillingPeriod period, CancellationToken cancellationToken)
    {
        var demands = new List<BillingDemand>(customers.Count);
        var loaded = await catalogs.LoadManyAsync(tenantId, customers, cancellationToken);
        foreach (var customer in customers)
        {
            var catalog = loaded[customer.Id];
            var input = catalog.RatingInputFor(period);
            if (input.Subscriptions.Count == 0)
            {
                continue;
            }

            var usage = new List<UsageDemand>();
            foreach (var window in PeriodRating.WindowsToMeasure(input))
            {
                // A feature without a meter (or whose meter is gone) measures nothing: rating reads zero for it.
                if (catalog.MetersByFeature.TryGetValue(window.FeatureKey, out var meter))
                {
                    usage.Add(new UsageDemand(Key(window), window.FeatureKey, meter, NoFilter, window.From, window.To));
                }
            }

            // The window billed: from the earliest start to the latest end of the subscriptions' periods, each cut to when it is in force.
            var from = input.Subscriptions.Min(s => s.Subscription.ActiveFrom > s.Period!.Value.From ? s.Subscription.ActiveFrom : s.Period!.Value.From);
            var to = input.Subscriptions.Max(s => s.Subscription.ActiveTo is { } end && end < s.Period!.Value.To ? end : s.Period!.Value.To);
            var versions = string.Join(", ", input.Subscriptions.Select(s => $"{s.Plan.Key}@v{s.Plan.Version}").Distinct(StringComparer.Ordinal));
            demands.Add(new BillingDemand(catalog.Customer, period, from, to, input.Currency, versions, usage, input));
        }

        return demands;
    }

    public RatedPeriod Rate(BillingDemand demand, IReadOnlyDictionary<string, decimal> usage)
    {
        var measured = PeriodRating.WindowsToMeasure(demand.Input).ToDictionary(window => window, window => usage.GetValueOrDefault(Key(window)));
        return PeriodRating.Rate(demand.Input, new MeasuredUsage(measured));
    }

    /// <summary>The usage key of a window: the feature and the window, as the close stores frozen usage under.</summary>
    public static string Key(UsageWindow window) => window.ToString();
}
