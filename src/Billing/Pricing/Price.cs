using System.Text.Json.Serialization;

namespace Tally.Billing.Pricing;

/// <summary>When a flat fee is invoiced: at the start of its service period, or at its end.</summary>
public enum PaymentTerm
{
    InAdvance,
    InArrears,
}

/// <summary>How tiers price a quantity: all units at the rate of the tier the quantity falls in, or each tier's units at its own rate.</summary>
public enum TierMode
{
    Volume,
    Graduated,
}

/// <summary>A rate card's price, OpenMeter's <c>RateCardUsageBasedPrice</c> (flat, unit, tiered, package).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$price")]
[JsonDerivedType(typeof(FlatPrice), "flat")]
[JsonDerivedType(typeof(UnitPrice), "unit")]
[JsonDerivedType(typeof(PackagePrice), "package")]
[JsonDerivedType(typeof(TieredPrice), "tiered")]
public abstract record Price;

/// <summary>A fixed amount per billing period (or once, on a rate card without a cadence).</summary>
public sealed record FlatPrice(decimal Amount, PaymentTerm PaymentTerm = PaymentTerm.InAdvance) : Price;

/// <summary>A price of metered usage, with optional spend commitments per billing period.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$price")]
[JsonDerivedType(typeof(UnitPrice), "unit")]
[JsonDerivedType(typeof(PackagePrice), "package")]
[JsonDerivedType(typeof(TieredPrice), "tiered")]
public abstract record UsagePrice : Price
{
    public Commitments Commitments { get; init; } = Commitments.None;
}

/// <summary><see cref="Amount"/> per unit of usage.</summary>
public sealed record UnitPrice(decimal Amount) : UsagePrice;

/// <summary>
/// <see cref="Amount"/> per started package of <see cref="QuantityPerPackage"/> units: 2,001 units at
/// 1,000 per package are three packages.
/// </summary>
public sealed record PackagePrice(decimal Amount, decimal QuantityPerPackage) : UsagePrice;

/// <summary>Tiers ordered by their upper bound; the last has none (no upper bound).</summary>
public sealed record TieredPrice(TierMode Mode, IReadOnlyList<PriceTier> Tiers) : UsagePrice
{
    public bool Equals(TieredPrice? other) =>
        other is not null && Mode == other.Mode && Commitments == other.Commitments && Tiers.SequenceEqual(other.Tiers);

    public override int GetHashCode() => HashCode.Combine(Mode, Commitments, Tiers.Count);
}

/// <summary>
/// One tier: quantities up to and including <see cref="UpToAmount"/> (null: no bound), with a flat
/// amount charged once when usage reaches into the tier and/or an amount per unit.
/// </summary>
public sealed record PriceTier(decimal? UpToAmount, decimal? FlatAmount, decimal? UnitAmount);

/// <summary>Spend commitments of a usage price per billing period: at least <see cref="MinimumAmount"/>, at most <see cref="MaximumAmount"/>.</summary>
public sealed record Commitments(decimal? MinimumAmount, decimal? MaximumAmount)
{
    public static Commitments None { get; } = new(null, null);
}

/// <summary>A rate card's discounts: a percentage off its amount, and/or a quantity of usage not charged per billing period.</summary>
public sealed record Discounts(decimal? Percentage, decimal? UsageQuantity)
{
    public static Discounts None { get; } = new(null, null);
}
