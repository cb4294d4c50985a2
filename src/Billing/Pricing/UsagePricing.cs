using Tally.Billing.Catalog;

namespace Tally.Billing.Pricing;

/// <summary>
/// Prices usage with a plan's rate cards. Pure. Each line is rounded once, to the currency's minor
/// units, and the total is the sum of the rounded lines, so an invoice always adds up.
/// </summary>
public static class UsagePricing
{
    /// <param name="plan">The plan in force.</param>
    /// <param name="usageByMeterSlug">Usage per meter slug; a meter with no usage prices as zero.</param>
    public static (IReadOnlyList<RatedLine> Lines, Money Total) Price(Plan plan, IReadOnlyDictionary<string, decimal> usageByMeterSlug)
    {
        var lines = new List<RatedLine>(plan.RateCards.Count);
        var total = Money.Zero(plan.Currency);
        foreach (var card in plan.RateCards)
        {
            var quantity = usageByMeterSlug.GetValueOrDefault(card.MeterSlug);
            var amount = (new Money(card.UnitPrice, plan.Currency) * quantity).Rounded();
            lines.Add(new RatedLine(card.Key, card.MeterSlug, quantity, card.UnitPrice, amount));
            total += amount;
        }

        return (lines, total);
    }
}
