using Tally.Billing.Calendar;

namespace Tally.Billing.Entitlements;

/// <summary>The unit of a grant's expiration (OpenMeter's <c>ExpirationPeriod.duration</c>).</summary>
public enum ExpirationUnit
{
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// <summary>A grant expires <see cref="Count"/> units after it takes effect.</summary>
public sealed record GrantExpiration(ExpirationUnit Unit, int Count)
{
    public DateTimeOffset After(DateTimeOffset effectiveAt) => Unit switch
    {
        ExpirationUnit.Hour => effectiveAt.AddHours(Count),
        ExpirationUnit.Day => effectiveAt.AddDays(Count),
        ExpirationUnit.Week => effectiveAt.AddDays(7 * Count),
        ExpirationUnit.Month => effectiveAt.AddMonths(Count),
        _ => effectiveAt.AddYears(Count),
    };
}

/// <summary>
/// Units of a metered feature granted to an entitlement: <see cref="Amount"/> from
/// <see cref="EffectiveAt"/> until it expires or is voided, burnt down by usage in the order of
/// <see cref="GrantBurnDown"/>. At each usage reset its balance becomes
/// min(<see cref="MaxRolloverAmount"/>, max(balance, <see cref="MinRolloverAmount"/>)); at each
/// <see cref="Recurrence"/> it is topped up to <see cref="Amount"/> again.
/// </summary>
public sealed record Grant(
    string TenantId,
    string Id,
    string EntitlementId,
    decimal Amount,
    int Priority,
    DateTimeOffset EffectiveAt,
    DateTimeOffset CreatedAt)
{
    public GrantExpiration? Expiration { get; init; }

    public decimal MaxRolloverAmount { get; init; }

    public decimal MinRolloverAmount { get; init; }

    public RecurringPeriod? Recurrence { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public DateTimeOffset? VoidedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    public DateTimeOffset? ExpiresAt => Expiration?.After(EffectiveAt);

    public bool IsActiveAt(DateTimeOffset instant) =>
        EffectiveAt <= instant && (ExpiresAt is not { } expires || expires > instant) && (VoidedAt is not { } voided || voided > instant);

    /// <summary>The recurrence after the one at or before <paramref name="instant"/>, if the grant recurs.</summary>
    public DateTimeOffset? NextRecurrenceAfter(DateTimeOffset instant) => Recurrence?.Containing(instant < EffectiveAt ? EffectiveAt : instant).To;
}
