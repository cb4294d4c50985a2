using Tally.Billing.Entitlements;

namespace Tally.Billing.Notifications;

/// <summary>A webhook endpoint notifications are delivered to (OpenMeter's <c>WEBHOOK</c> channel).</summary>
public sealed record NotificationChannel(
    string TenantId,
    string Id,
    string Name,
    string Url,
    bool Disabled,
    string SigningSecret,
    DateTimeOffset CreatedAt)
{
    public IReadOnlyDictionary<string, string>? CustomHeaders { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    public DateTimeOffset? DeletedAt { get; init; }
}

/// <summary>What a balance threshold compares: usage as a number or a share of the grants, or the balance left.</summary>
public enum ThresholdKind
{
    UsageValue,
    UsagePercentage,
    BalanceValue,
}

/// <summary>One threshold of a rule; <see cref="WireType"/> is the type as the client wrote it (OpenMeter also takes NUMBER and PERCENT).</summary>
public sealed record BalanceThreshold(decimal Value, ThresholdKind Kind, string WireType)
{
    /// <summary>Whether an entitlement's value has reached the threshold.</summary>
    public bool IsReachedBy(EntitlementValue value) => Kind switch
    {
        ThresholdKind.UsageValue => (value.Usage ?? 0m) >= Value,
        ThresholdKind.UsagePercentage => value.TotalAvailableGrantAmount is > 0m and var total && (value.Usage ?? 0m) * 100m >= Value * total,
        _ => value.Balance is { } balance && balance <= Value,
    };

    /// <summary>Identifies the threshold within its rule, for "fired once per usage period".</summary>
    public string Key => $"{WireType}:{Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A rule that notifies channels: when an entitlement's balance crosses a threshold
/// (<c>entitlements.balance.threshold</c>, for the features listed, all when empty), or of billing events
/// (<c>invoice.created</c>, <c>invoice.updated</c>, and Tally's own <c>close.customer_parked</c>), which
/// carry no thresholds or features.
/// </summary>
public sealed record NotificationRule(
    string TenantId,
    string Id,
    string Name,
    string Type,
    bool Disabled,
    IReadOnlyList<string> ChannelIds,
    IReadOnlyList<BalanceThreshold> Thresholds,
    IReadOnlyList<string> FeatureIds,
    DateTimeOffset CreatedAt)
{
    public const string BalanceThresholdType = "entitlements.balance.threshold";

    /// <summary>OpenMeter's: an invoice came to be (Tally: issued at once, or a draft held for a person's approval).</summary>
    public const string InvoiceCreatedType = "invoice.created";

    /// <summary>OpenMeter's: an invoice changed (Tally: a held draft issued, or an invoice voided).</summary>
    public const string InvoiceUpdatedType = "invoice.updated";

    /// <summary>Tally's own, in OpenMeter's style: a customer's period close failed for good or past its retries and waits for a person.</summary>
    public const string CustomerParkedType = "close.customer_parked";

    /// <summary>The rule types the billing events notify, in the order the API names them.</summary>
    public static IReadOnlyList<string> BillingTypes { get; } = [InvoiceCreatedType, InvoiceUpdatedType, CustomerParkedType];

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    public DateTimeOffset? DeletedAt { get; init; }

    public bool Covers(string featureId) => FeatureIds.Count == 0 || FeatureIds.Contains(featureId, StringComparer.Ordinal);
}

/// <summary>Where a delivery of an event to a channel is.</summary>
public enum DeliveryState
{
    Pending,
    Sending,
    Success,
    Failed,
    Resending,
}

/// <summary>
/// A notification: what happened (<see cref="Payload"/>, the exact JSON body the webhooks receive),
/// for which rule, once per <see cref="DedupeKey"/> (e.g. a threshold in a usage period).
/// </summary>
public sealed record NotificationEvent(string TenantId, string Id, string RuleId, string Type, string Payload, string DedupeKey, DateTimeOffset CreatedAt)
{
    /// <summary>Features and subjects the event is about, for listing filters.</summary>
    public string? FeatureKey { get; init; }

    public string? SubjectKey { get; init; }
}

/// <summary>One try to deliver an event: the answer (or the failure) and how long it took.</summary>
public sealed record DeliveryAttempt(DateTimeOffset Timestamp, DeliveryState State, int? StatusCode, string Body, long DurationMs, string Url);

/// <summary>The delivery of one event to one channel, with every attempt and when the next one is due.</summary>
public sealed record NotificationDelivery(
    string TenantId,
    string EventId,
    string ChannelId,
    DeliveryState State,
    string Reason,
    IReadOnlyList<DeliveryAttempt> Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset UpdatedAt);
