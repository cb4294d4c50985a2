using Tally.Billing;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using Tally.Billing.Usage;

namespace Tally.Rating;

/// <summary>
/// Rates a customer's (closed) billing period from the usage store: the windows
/// <see cref="PeriodRating.WindowsToMeasure"/> names, each measured with <see cref="IUsageReader"/>,
/// then <see cref="PeriodRating.Rate"/>. The period close uses it; the live bill uses the same rating
/// over the grain's running usage.
/// </summary>
public sealed class ChargeCalculator(CustomerCatalogLoader catalogs, IUsageReader usage) : ICustomerCharges
{
    public async Task<CustomerCharges?> CalculateAsync(string tenantId, string customerIdOrKey, BillingPeriod period, CancellationToken cancellationToken)
    {
        var catalog = await catalogs.LoadAsync(tenantId, customerIdOrKey, cancellationToken);
        if (catalog is null)
        {
            return null;
        }

        var input = catalog.RatingInput(period.From, period.To);
        if (input.Subscriptions.Count == 0)
        {
            return null;
        }

        var measured = new Dictionary<UsageWindow, decimal>();
        foreach (var window in PeriodRating.WindowsToMeasure(input))
        {
            measured[window] = catalog.MetersByFeature.TryGetValue(window.FeatureKey, out var meter)
                ? await usage.GetTotalAsync(meter, catalog.Customer.SubjectKeys, window.From, window.To, cancellationToken)
                : 0m;
        }

        return new CustomerCharges(catalog.Customer, period, PeriodRating.Rate(input, new MeasuredUsage(measured)));
    }
}
