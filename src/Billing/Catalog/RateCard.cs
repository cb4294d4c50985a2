using Tally.Billing.Calendar;
using Tally.Billing.Pricing;

namespace Tally.Billing.Catalog;

/// <summary>Whether a rate card is a fixed fee or priced by usage (OpenMeter's <c>flat_fee</c> / <c>usage_based</c>).</summary>
public enum RateCardType
{
    FlatFee,
    UsageBased,
}

/// <summary>
/// One priced item of a plan phase. A flat fee carries a <see cref="FlatPrice"/> (or none: free) and is
/// billed every <see cref="BillingCadence"/>, or once when the cadence is null; a usage-based card
/// prices the usage of <see cref="FeatureKey"/>'s meter per billing period with any price model.
/// Either may grant an entitlement to its feature to every subscriber.
/// </summary>
public sealed record RateCard(
    RateCardType Type,
    string Key,
    string Name,
    string? FeatureKey,
    IsoDuration? BillingCadence,
    Price? Price)
{
    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public Discounts Discounts { get; init; } = Discounts.None;

    public EntitlementTemplate? EntitlementTemplate { get; init; }
}

/// <summary>The entitlement a rate card grants its subscribers (OpenMeter's <c>RateCardEntitlement</c>).</summary>
public abstract record EntitlementTemplate;

/// <summary>Metered access: usage of the feature against grants, reset every <see cref="UsagePeriod"/> (default: the rate card's cadence).</summary>
public sealed record MeteredEntitlementTemplate(
    bool IsSoftLimit,
    decimal? IssueAfterReset,
    int IssueAfterResetPriority,
    bool PreserveOverageAtReset,
    IsoDuration? UsagePeriod) : EntitlementTemplate;

/// <summary>Access with a fixed JSON configuration (a JSON-encoded string, passed through).</summary>
public sealed record StaticEntitlementTemplate(string Config) : EntitlementTemplate;

/// <summary>Plain access.</summary>
public sealed record BooleanEntitlementTemplate : EntitlementTemplate;
