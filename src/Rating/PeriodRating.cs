using System.Globalization;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Meters;
using Tally.Billing.Pricing;

namespace Tally.Rating;

/// <summary>
/// Rating for the period close: the subscription in force at the period's end, its plan, one usage
/// demand per priced meter over the part of the period the subscription covers, priced by
/// <see cref="UsagePricing"/> — the live bill's rules.
/// </summary>
public sealed class PeriodRating(ICustomerStore customers, IPlanStore plans, IMeterStore meters) : IPeriodRating
{
    public async Task<IReadOnlyList<BillingDemand>> DemandsAsync(string tenantId, IReadOnlyList<Customer> billed, BillingPeriod period, CancellationToken cancellationToken)
    {
        var planCache = new Dictionary<string, Plan?>(StringComparer.Ordinal);
        var meterCache = new Dictionary<string, MeterDefinition?>(StringComparer.Ordinal);
        var demands = new List<BillingDemand>(billed.Count);
        foreach (var customer in billed)
        {
            var subscription = await customers.GetActiveSubscriptionAsync(tenantId, customer.Id, period.To.AddTicks(-1), cancellationToken);
            if (subscription is null || subscription.ActiveFrom >= period.To)
            {
                continue;
            }

            if (!planCache.TryGetValue(subscription.PlanId, out var plan))
            {
                plan = planCache[subscription.PlanId] = await plans.GetAsync(tenantId, subscription.PlanId, cancellationToken);
            }

            if (plan is null)
            {
                throw new InvalidOperationException($"Subscription {subscription.Id} names plan {subscription.PlanId}, which does not exist.");
            }

            var usage = new List<UsageDemand>();
            foreach (var slug in plan.RateCards.Select(card => card.MeterSlug).Distinct(StringComparer.Ordinal))
            {
                if (!meterCache.TryGetValue(slug, out var meter))
                {
                    meter = meterCache[slug] = await meters.GetAsync(tenantId, slug, cancellationToken);
                }

                if (meter is not null)
                {
                    usage.Add(new UsageDemand(slug, meter, new Dictionary<string, IReadOnlyList<string>>()));
                }
            }

            var from = subscription.ActiveFrom > period.From ? subscription.ActiveFrom : period.From;
            demands.Add(new BillingDemand(customer, period, from, period.To, plan.Currency, $"{plan.Key}@{plan.Id}", usage) { Pricing = plan });
        }

        return demands;
    }

    public RatedPeriod Rate(BillingDemand demand, IReadOnlyDictionary<string, decimal> usage)
    {
        var plan = demand.Pricing as Plan ?? throw new ArgumentException("The demand was not made by this rating.", nameof(demand));
        var (lines, total) = UsagePricing.Price(plan, usage);
        return new RatedPeriod(
            [.. lines.Select(line => new RatedPeriodLine(
                line.RateCardKey,
                string.Create(CultureInfo.InvariantCulture, $"{line.MeterSlug}: {line.Quantity} × {line.UnitPrice} {plan.Currency.Code}"),
                line.RateCardKey,
                line.MeterSlug,
                line.MeterSlug,
                line.Quantity,
                line.UnitPrice,
                line.Amount.Amount,
                JsonSerializer.Serialize(new { price = new { type = "unit", amount = line.UnitPrice.ToString(CultureInfo.InvariantCulture) }, plan = new { plan.Key, plan.Id } })))],
            total.Amount);
    }
}
