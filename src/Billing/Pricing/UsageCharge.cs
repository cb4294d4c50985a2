namespace Tally.Billing.Pricing;

/// <summary>
/// What a usage price charges for a quantity, before rounding: the amount, each tier's share (tiered
/// prices), the rate per unit where one applies, and the packages counted (package prices).
/// </summary>
public sealed record UsageCharge(decimal Amount, IReadOnlyList<TierCharge> Tiers, decimal? UnitAmount, decimal? Packages)
{
    public bool Equals(UsageCharge? other) =>
        other is not null && Amount == other.Amount && UnitAmount == other.UnitAmount && Packages == other.Packages && Tiers.SequenceEqual(other.Tiers);

    public override int GetHashCode() => HashCode.Combine(Amount, UnitAmount, Packages, Tiers.Count);
}

/// <summary>
/// One tier a quantity reached: its index (0-based), bounds (from, exclusive; to, inclusive), the
/// quantity priced in it and at what rates, and the exact amount (not rounded).
/// </summary>
public sealed record TierCharge(int Index, decimal From, decimal? UpTo, decimal Quantity, decimal? UnitAmount, decimal? FlatAmount, decimal Amount);
