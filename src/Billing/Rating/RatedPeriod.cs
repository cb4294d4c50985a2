using Tally.Billing.Catalog;
using Tally.Billing.Pricing;

namespace Tally.Billing.Rating;

/// <summary>
/// A customer's rated billing period: one line per rate card in force (a card under two
/// subscriptions, e.g. after a plan change, has a line for each), and the totals, which are the sums
/// of the lines' rounded amounts.
/// </summary>
public sealed record RatedPeriod(Currency Currency, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<RatedLine> Lines)
{
    /// <summary>Charges before credits, discounts and commitments (OpenMeter's <c>totals.amount</c>).</summary>
    public Money Amount => Sum(line => line.Amount);

    /// <summary>Minimum-spend commitment top-ups (<c>chargesTotal</c>).</summary>
    public Money ChargesTotal => Sum(line => line.MinimumSpendCharge);

    /// <summary>Percentage discounts and maximum-spend caps (<c>discountsTotal</c>).</summary>
    public Money DiscountsTotal => Sum(line => line.DiscountsTotal);

    /// <summary>What grants covered (<c>creditsTotal</c>).</summary>
    public Money CreditsTotal => Sum(line => line.Credits);

    /// <summary>What the customer owes: the sum of the lines' totals.</summary>
    public Money Total => Sum(line => line.Total);

    private Money Sum(Func<RatedLine, Money> part) => Lines.Aggregate(Money.Zero(Currency), (sum, line) => sum + part(line));
}

/// <summary>
/// One rate card of one subscription, rated for the part of the period it covers. Every money field is
/// rounded to the currency's minor units (half away from zero) as it is computed, so the fields add up
/// exactly: <c>Total = Amount − Credits − Discount − MaximumSpendDiscount + MinimumSpendCharge</c>.
/// </summary>
public sealed record RatedLine(
    string SubscriptionId,
    string PhaseKey,
    string RateCardKey,
    string Name,
    string? FeatureKey,
    RateCardType Type,
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset InvoiceAt,
    Price Price)
{
    /// <summary>Usage measured over [From, To) for a usage price; 1 for a flat fee.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Usage not charged under the card's usage discount.</summary>
    public decimal UsageDiscountQuantity { get; init; }

    /// <summary>The quantity the price was applied to: <see cref="Quantity"/> minus <see cref="UsageDiscountQuantity"/>.</summary>
    public decimal PricedQuantity { get; init; }

    /// <summary>Units of the priced quantity that grants covered.</summary>
    public decimal GrantedQuantity { get; init; }

    /// <summary>Which grants covered how many units.</summary>
    public IReadOnlyList<GrantApplied> Grants { get; init; } = [];

    /// <summary>The share of the billing period covered, applied to flat fees and commitments (1 without proration).</summary>
    public decimal ProrationFactor { get; init; } = 1m;

    /// <summary>Each tier the priced quantity reached (tiered prices).</summary>
    public IReadOnlyList<TierCharge> Tiers { get; init; } = [];

    /// <summary>The rate per unit, where one applies (unit prices, the tier of a volume price, flat fees: the prorated fee).</summary>
    public decimal? UnitPrice { get; init; }

    /// <summary>Packages counted (package prices).</summary>
    public decimal? Packages { get; init; }

    /// <summary>The price applied to <see cref="PricedQuantity"/>, rounded.</summary>
    public required Money Amount { get; init; }

    /// <summary>What grants covered: the amount minus the price of the quantity they left, never negative.</summary>
    public required Money Credits { get; init; }

    /// <summary>The card's percentage discount on the amount after credits.</summary>
    public required Money Discount { get; init; }

    /// <summary>What the maximum-spend commitment took off.</summary>
    public required Money MaximumSpendDiscount { get; init; }

    /// <summary>What the minimum-spend commitment added.</summary>
    public required Money MinimumSpendCharge { get; init; }

    /// <summary>Amount after credits and the percentage discount, before commitments.</summary>
    public Money Subtotal => new Money(Amount.Amount - Credits.Amount - Discount.Amount, Amount.Currency);

    public Money DiscountsTotal => new Money(Discount.Amount + MaximumSpendDiscount.Amount, Amount.Currency);

    public Money Total => new Money(Subtotal.Amount - MaximumSpendDiscount.Amount + MinimumSpendCharge.Amount, Amount.Currency);

    public bool Equals(RatedLine? other) =>
        other is not null && SubscriptionId == other.SubscriptionId && PhaseKey == other.PhaseKey && RateCardKey == other.RateCardKey && From == other.From && To == other.To
        && Quantity == other.Quantity && PricedQuantity == other.PricedQuantity && GrantedQuantity == other.GrantedQuantity && Amount == other.Amount && Credits == other.Credits
        && Discount == other.Discount && MaximumSpendDiscount == other.MaximumSpendDiscount && MinimumSpendCharge == other.MinimumSpendCharge && Tiers.SequenceEqual(other.Tiers);

    public override int GetHashCode() => HashCode.Combine(SubscriptionId, RateCardKey, From, Total);
}

/// <summary>Units of one grant applied to a line.</summary>
public sealed record GrantApplied(string GrantId, decimal Quantity);
