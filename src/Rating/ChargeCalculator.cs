using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Meters;
using Tally.Billing.Pricing;
using Tally.Billing.Usage;

namespace Tally.Rating;

/// <summary>
/// Works out what a customer owes for a period: the subscription in force, its plan, the usage of
/// each priced meter over the part of the period the subscription covers, priced by
/// <see cref="UsagePricing"/>. Used for the live bill and, at period close, for the invoice.
/// </summary>
public sealed class ChargeCalculator(ICustomerStore customers, IPlanStore plans, IMeterStore meters, IUsageReader usage) : ICustomerCharges
{
    /// <summary>The charges, or null when the customer does not exist or has no subscription in the period.</summary>
    public async Task<CustomerCharges?> CalculateAsync(string tenantId, string customerIdOrKey, BillingPeriod period, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(tenantId, customerIdOrKey, cancellationToken);
        if (customer is null)
        {
            return null;
        }

        var subscription = await customers.GetActiveSubscriptionAsync(tenantId, customer.Id, period.To.AddTicks(-1), cancellationToken);
        if (subscription is null || subscription.ActiveFrom >= period.To)
        {
            return null;
        }

        var plan = await plans.GetAsync(tenantId, subscription.PlanId, cancellationToken)
            ?? throw new InvalidOperationException($"Subscription {subscription.Id} names plan {subscription.PlanId}, which does not exist.");
        var from = subscription.ActiveFrom > period.From ? subscription.ActiveFrom : period.From;
        var usageBySlug = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var slug in plan.RateCards.Select(card => card.MeterSlug).Distinct(StringComparer.Ordinal))
        {
            var meter = await meters.GetAsync(tenantId, slug, cancellationToken);
            usageBySlug[slug] = meter is null
                ? 0m
                : await usage.GetTotalAsync(meter, customer.SubjectKeys, from, period.To, cancellationToken);
        }

        var (lines, total) = UsagePricing.Price(plan, usageBySlug);
        return new CustomerCharges(customer, plan, period, from, period.To, lines, total);
    }
}
