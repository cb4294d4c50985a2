using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.Rating.Live;
using Tally.Rating.Subscriptions;

namespace Tally.Rating.Entitlements;

/// <summary>
/// OpenMeter's entitlement: <c>EntitlementV2</c> (customer fields) or, for the v1 subject routes,
/// <c>Entitlement</c> (<see cref="SubjectKey"/> instead).
/// </summary>
public sealed record EntitlementResponse(
    string Id,
    string Type,
    string FeatureKey,
    string FeatureId,
    string? CustomerId,
    string? CustomerKey,
    string? SubjectKey,
    DateTime ActiveFrom,
    DateTime? ActiveTo,
    IReadOnlyDictionary<string, string>? Metadata,
    bool? IsSoftLimit,
    bool? PreserveOverageAtReset,
    IssueResponse? Issue,
    decimal? IssueAfterReset,
    int? IssueAfterResetPriority,
    DateTime? LastReset,
    PeriodResponse? CurrentUsagePeriod,
    DateTime? MeasureUsageFrom,
    RecurringPeriodResponse? UsagePeriod,
    string? Config,
    IReadOnlyDictionary<string, object>? Annotations,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeletedAt)
{
    public static EntitlementResponse From(Entitlement entitlement, Customer customer, DateTimeOffset now, bool v1)
    {
        var metered = entitlement.Type == EntitlementType.Metered;
        var period = entitlement.CurrentUsagePeriod(now < entitlement.ActiveFrom ? entitlement.ActiveFrom : now);
        return new EntitlementResponse(
            entitlement.Id,
            entitlement.Type.ToString().ToLowerInvariant(),
            entitlement.FeatureKey,
            entitlement.FeatureId,
            v1 ? null : customer.Id,
            v1 ? null : customer.Key,
            v1 ? customer.SubjectKeys.FirstOrDefault() ?? customer.Key : null,
            entitlement.ActiveFrom.UtcDateTime,
            RatingJson.Utc(entitlement.ActiveTo),
            entitlement.Metadata,
            metered ? entitlement.IsSoftLimit : null,
            metered ? entitlement.PreserveOverageAtReset : null,
            !v1 && metered && entitlement.IssueAmount is { } amount ? new IssueResponse(amount, entitlement.IssuePriority) : null,
            metered ? entitlement.IssueAmount : null,
            metered && entitlement.IssueAmount is not null ? entitlement.IssuePriority : null,
            metered ? RatingJson.Utc(period?.From) : null,
            period is { } p ? new PeriodResponse(p.From.UtcDateTime, p.To.UtcDateTime) : null,
            metered ? entitlement.UsageStart.UtcDateTime : null,
            entitlement.UsagePeriod is { } usagePeriod ? RecurringPeriodResponse.From(usagePeriod) : null,
            entitlement.Config,
            entitlement.SubscriptionId is { } subscription ? new Dictionary<string, object> { ["subscription.id"] = subscription } : null,
            entitlement.CreatedAt.UtcDateTime,
            entitlement.UpdatedAt.UtcDateTime,
            RatingJson.Utc(entitlement.DeletedAt));
    }
}

public sealed record IssueResponse(decimal Amount, int Priority);

/// <summary>OpenMeter's <c>RecurringPeriod</c>: the interval as DAY/WEEK/MONTH/YEAR when it is exactly one, always as ISO too.</summary>
public sealed record RecurringPeriodResponse(string Interval, DateTime Anchor, string IntervalISO)
{
    public static RecurringPeriodResponse From(RecurringPeriod period)
    {
        var iso = period.Interval.ToString();
        var named = iso switch
        {
            "P1D" => "DAY",
            "P1W" => "WEEK",
            "P1M" => "MONTH",
            "P1Y" => "YEAR",
            _ => iso,
        };
        return new RecurringPeriodResponse(named, period.Anchor.UtcDateTime, iso);
    }
}

/// <summary>OpenMeter's <c>EntitlementGrant</c> / <c>EntitlementGrantV2</c>.</summary>
public sealed record GrantResponse(
    string Id,
    string EntitlementId,
    decimal Amount,
    int Priority,
    DateTime EffectiveAt,
    ExpirationResponse? Expiration,
    DateTime? ExpiresAt,
    decimal MaxRolloverAmount,
    decimal MinRolloverAmount,
    IReadOnlyDictionary<string, string>? Metadata,
    RecurringPeriodResponse? Recurrence,
    DateTime? NextRecurrence,
    DateTime? VoidedAt,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static GrantResponse From(Grant grant, DateTimeOffset now) => new(
        grant.Id,
        grant.EntitlementId,
        grant.Amount,
        grant.Priority,
        grant.EffectiveAt.UtcDateTime,
        grant.Expiration is { } expiration ? new ExpirationResponse(expiration.Unit.ToString().ToUpperInvariant(), expiration.Count) : null,
        RatingJson.Utc(grant.ExpiresAt),
        grant.MaxRolloverAmount,
        grant.MinRolloverAmount,
        grant.Metadata,
        grant.Recurrence is { } recurrence ? RecurringPeriodResponse.From(recurrence) : null,
        RatingJson.Utc(grant.NextRecurrenceAfter(now)),
        RatingJson.Utc(grant.VoidedAt),
        grant.CreatedAt.UtcDateTime,
        grant.UpdatedAt.UtcDateTime);
}

public sealed record ExpirationResponse(string Duration, int Count);

/// <summary>OpenMeter's <c>EntitlementValue</c> (v2 adds <see cref="GrantBalances"/>).</summary>
public sealed record EntitlementValueResponse(
    bool HasAccess,
    decimal? Balance,
    decimal? Usage,
    decimal? Overage,
    decimal? TotalAvailableGrantAmount,
    string? Config,
    IReadOnlyDictionary<string, decimal>? GrantBalances)
{
    public static EntitlementValueResponse From(EntitlementValueView value, bool v2) =>
        new(value.HasAccess, value.Balance, value.Usage, value.Overage, value.TotalAvailableGrantAmount, value.Config, v2 ? value.GrantBalances : null);

    /// <summary>The value route's body: exactly what <see cref="RatingJson.Ok"/> writes for <see cref="From"/>.</summary>
    public static byte[] Serialize(EntitlementValueView value, bool v2) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(From(value, v2), RatingJson.Options);
}

/// <summary>OpenMeter's <c>CustomerAccess</c>.</summary>
public sealed record CustomerAccessResponse(IReadOnlyDictionary<string, EntitlementValueResponse> Entitlements);
