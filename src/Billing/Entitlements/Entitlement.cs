using Tally.Billing.Calendar;

namespace Tally.Billing.Entitlements;

/// <summary>What kind of access an entitlement gives (OpenMeter's names).</summary>
public enum EntitlementType
{
    Metered,
    Boolean,
    Static,
}

/// <summary>
/// A customer's access to a feature over [<see cref="ActiveFrom"/>, <see cref="ActiveTo"/>): boolean,
/// static (with a JSON config), or metered, where usage since the last reset of
/// <see cref="UsagePeriod"/> burns down the entitlement's grants. Entitlements of a subscription
/// (<see cref="SubscriptionId"/>) start and end with it.
/// </summary>
public sealed record Entitlement(
    string TenantId,
    string Id,
    EntitlementType Type,
    string CustomerId,
    string FeatureId,
    string FeatureKey,
    DateTimeOffset ActiveFrom,
    DateTimeOffset? ActiveTo,
    DateTimeOffset CreatedAt)
{
    public string? SubscriptionId { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>When usage resets (metered; optional for the others).</summary>
    public RecurringPeriod? UsagePeriod { get; init; }

    /// <summary>Usage before this instant does not count (metered); the start of access unless set.</summary>
    public DateTimeOffset? MeasureUsageFrom { get; init; }

    /// <summary>Access continues after the grants run out (the overage is still measured).</summary>
    public bool IsSoftLimit { get; init; }

    /// <summary>Overage of a usage period is deducted from the grants after the reset.</summary>
    public bool PreserveOverageAtReset { get; init; }

    /// <summary>The amount issued again at every reset (OpenMeter's <c>issue</c> / <c>issueAfterReset</c>), as a grant of its own.</summary>
    public decimal? IssueAmount { get; init; }

    public int IssuePriority { get; init; } = 1;

    /// <summary>The JSON-encoded configuration of a static entitlement.</summary>
    public string? Config { get; init; }

    /// <summary>Manual resets (<c>POST …/reset</c>), in time order.</summary>
    public IReadOnlyList<DateTimeOffset> Resets { get; init; } = [];

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>
    /// The grant that issues <see cref="IssueAmount"/> (metered only): effective from the start of usage,
    /// rolling over to exactly its amount at every reset (min and max rollover equal to it), as
    /// OpenMeter creates for <c>issueAfterReset</c>.
    /// </summary>
    public Grant? IssueGrant() => Type == EntitlementType.Metered && IssueAmount is { } amount && amount > 0m
        ? new Grant(TenantId, Ids.NewUlid(CreatedAt), Id, amount, IssuePriority, UsageStart, CreatedAt)
        {
            MaxRolloverAmount = amount,
            MinRolloverAmount = amount,
        }
        : null;

    /// <summary>Where usage starts to count: <see cref="MeasureUsageFrom"/> (which may precede the entitlement, e.g. the start of its usage period), else the start of access.</summary>
    public DateTimeOffset UsageStart => MeasureUsageFrom ?? ActiveFrom;

    public bool IsActiveAt(DateTimeOffset instant) => DeletedAt is null && ActiveFrom <= instant && (ActiveTo is null || ActiveTo > instant);

    /// <summary>The usage period [from, to) containing <paramref name="instant"/>, cut at the last manual reset before it.</summary>
    public (DateTimeOffset From, DateTimeOffset To)? CurrentUsagePeriod(DateTimeOffset instant)
    {
        if (UsagePeriod is null)
        {
            return null;
        }

        var (from, to) = UsagePeriod.Containing(instant);
        var reset = Resets.Where(r => r <= instant && r > from).DefaultIfEmpty(from).Max();
        return (reset, to);
    }
}
