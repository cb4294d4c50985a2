namespace Tally.Billing.Pricing;

/// <summary>
/// Prices a quantity of usage with a usage price. Pure and exact: amounts are never rounded here
/// (<see cref="Rating.LineRating"/> rounds each line once). A quantity at or below zero charges
/// nothing; a tier is reached when the quantity is above its lower bound, so a quantity exactly on a
/// bound belongs to the lower tier.
/// </summary>
public static class UsagePricing
{
    public static UsageCharge Charge(UsagePrice price, decimal quantity)
    {
        var q = Math.Max(quantity, 0m);
        return price switch
        {
            UnitPrice unit => new UsageCharge(q * unit.Amount, [], unit.Amount, null),
            PackagePrice package => Package(package, q),
            TieredPrice { Mode: TierMode.Graduated } tiered => Graduated(tiered, q),
            TieredPrice tiered => Volume(tiered, q),
            _ => throw new NotSupportedException($"Price {price.GetType().Name}"),
        };
    }

    private static UsageCharge Package(PackagePrice price, decimal quantity)
    {
        var packages = Math.Ceiling(quantity / price.QuantityPerPackage);
        return new UsageCharge(packages * price.Amount, [], null, packages);
    }

    private static UsageCharge Graduated(TieredPrice price, decimal quantity)
    {
        var tiers = new List<TierCharge>();
        var amount = 0m;
        var lower = 0m;
        for (var i = 0; i < price.Tiers.Count && quantity > lower; i++)
        {
            var tier = price.Tiers[i];
            var inTier = (tier.UpToAmount is { } upTo ? Math.Min(quantity, upTo) : quantity) - lower;
            var tierAmount = (inTier * (tier.UnitAmount ?? 0m)) + (tier.FlatAmount ?? 0m);
            tiers.Add(new TierCharge(i, lower, tier.UpToAmount, inTier, tier.UnitAmount, tier.FlatAmount, tierAmount));
            amount += tierAmount;
            lower = tier.UpToAmount ?? quantity;
        }

        return new UsageCharge(amount, tiers, null, null);
    }

    private static UsageCharge Volume(TieredPrice price, decimal quantity)
    {
        if (quantity == 0m)
        {
            return new UsageCharge(0m, [], null, null);
        }

        var lower = 0m;
        for (var i = 0; i < price.Tiers.Count; i++)
        {
            var tier = price.Tiers[i];
            if (tier.UpToAmount is { } upTo && quantity > upTo)
            {
                lower = upTo;
                continue;
            }

            var amount = (quantity * (tier.UnitAmount ?? 0m)) + (tier.FlatAmount ?? 0m);
            return new UsageCharge(amount, [new TierCharge(i, lower, tier.UpToAmount, quantity, tier.UnitAmount, tier.FlatAmount, amount)], tier.UnitAmount, null);
        }

        throw new InvalidOperationException("A tiered price's last tier has no upper bound; validation keeps it so.");
    }
}
