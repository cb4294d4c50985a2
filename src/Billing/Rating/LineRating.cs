using Tally.Billing.Catalog;
using Tally.Billing.Pricing;

namespace Tally.Billing.Rating;

/// <summary>
/// Rates one item. The order, per usage line: the usage discount takes its units off the quantity;
/// the price applies to what is left (the line's amount); grants are credited as the amount minus the
/// price of the quantity they leave (so a grant never raises a line, even under volume tiers); the
/// percentage discount applies to the amount after credits; then the maximum-spend commitment caps
/// and the minimum-spend commitment tops up the result. Flat fees are prorated by the share of the
/// period covered (when the plan prorates), then discounted. Each money part is rounded once, by
/// <see cref="Money.Rounded"/>, when it is computed.
/// </summary>
internal static class LineRating
{
    public static RatedLine Flat(ChargeItem item, FlatPrice price, Currency currency, decimal proration, DateTimeOffset periodTo)
    {
        var amount = Round(price.Amount * proration, currency);
        var discount = Round(amount.Amount * (item.Card.Discounts.Percentage ?? 0m) / 100m, currency);
        return Line(item, price, price.PaymentTerm == PaymentTerm.InAdvance ? item.From : periodTo) with
        {
            Quantity = 1m,
            PricedQuantity = 1m,
            ProrationFactor = proration,
            UnitPrice = amount.Amount,
            Amount = amount,
            Credits = Round(0m, currency),
            Discount = discount,
            MaximumSpendDiscount = Round(0m, currency),
            MinimumSpendCharge = Round(0m, currency),
        };
    }

    public static RatedLine Usage(ChargeItem item, UsagePrice price, Currency currency, decimal quantity, IReadOnlyList<GrantApplied> grants, decimal proration, DateTimeOffset periodTo)
    {
        var measured = Math.Max(quantity, 0m);
        var usageDiscount = Math.Min(measured, item.Card.Discounts.UsageQuantity ?? 0m);
        var priced = measured - usageDiscount;
        var granted = Math.Min(priced, grants.Sum(grant => grant.Quantity));
        var charge = UsagePricing.Charge(price, priced);
        var amount = Round(charge.Amount, currency);
        var leftAfterGrants = Round(UsagePricing.Charge(price, priced - granted).Amount, currency);
        var credits = Round(Math.Max(0m, amount.Amount - leftAfterGrants.Amount), currency);
        var discount = Round((amount.Amount - credits.Amount) * (item.Card.Discounts.Percentage ?? 0m) / 100m, currency);
        var net = amount.Amount - credits.Amount - discount.Amount;
        var maximum = price.Commitments.MaximumAmount is { } max ? Round(max * proration, currency).Amount : (decimal?)null;
        var minimum = price.Commitments.MinimumAmount is { } min ? Round(min * proration, currency).Amount : (decimal?)null;
        var capped = maximum is { } cap && net > cap ? net - cap : 0m;
        var toppedUp = minimum is { } floor && net < floor ? floor - net : 0m;
        return Line(item, price, periodTo) with
        {
            Quantity = measured,
            UsageDiscountQuantity = usageDiscount,
            PricedQuantity = priced,
            GrantedQuantity = granted,
            Grants = grants,
            ProrationFactor = proration,
            Tiers = charge.Tiers,
            UnitPrice = charge.UnitAmount,
            Packages = charge.Packages,
            Amount = amount,
            Credits = credits,
            Discount = discount,
            MaximumSpendDiscount = Round(capped, currency),
            MinimumSpendCharge = Round(toppedUp, currency),
        };
    }

    /// <summary>The one place a rated amount is rounded.</summary>
    private static Money Round(decimal amount, Currency currency) => new Money(amount, currency).Rounded();

    private static RatedLine Line(ChargeItem item, Price price, DateTimeOffset invoiceAt) => new(
        item.Subscription.Id,
        item.Phase.Key,
        item.Card.Key,
        item.Card.Name,
        item.Card.FeatureKey,
        item.Card.Type,
        item.From,
        item.To,
        invoiceAt,
        price)
    {
        Amount = default,
        Credits = default,
        Discount = default,
        MaximumSpendDiscount = default,
        MinimumSpendCharge = default,
    };
}
