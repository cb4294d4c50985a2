using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;
using Tally.Rating.Catalog;

namespace Tally.Rating.Subscriptions;

/// <summary>
/// OpenMeter's <c>Subscription</c>. <c>billingAnchor</c> is the one given (normalised to the minute), or,
/// for the calendar month Tally bills by default, the 1st at 00:00 in the customer's time zone of the
/// month the subscription starts in.
/// </summary>
public record SubscriptionResponse(
    string Id,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    DateTime ActiveFrom,
    DateTime? ActiveTo,
    string Status,
    string CustomerId,
    PlanReference Plan,
    string Currency,
    string BillingCadence,
    DateTime BillingAnchor,
    ProRatingConfig ProRatingConfig,
    string SettlementMode,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeletedAt)
{
    public static SubscriptionResponse From(Subscription subscription, TimeZoneInfo zone, DateTimeOffset now, bool proRating = true) => new(
        subscription.Id,
        subscription.Name,
        subscription.Description,
        subscription.Metadata,
        subscription.ActiveFrom.UtcDateTime,
        RatingJson.Utc(subscription.ActiveTo),
        subscription.StatusAt(now).ToString().ToLowerInvariant(),
        subscription.CustomerId,
        new PlanReference(subscription.PlanId, subscription.PlanKey, subscription.PlanVersion),
        subscription.Currency.Code,
        "P1M",
        (subscription.BillingAnchor ?? BillingCycle.CalendarMonth(zone).Containing(subscription.ActiveFrom).From).UtcDateTime,
        new ProRatingConfig(proRating, "prorate_prices"),
        "credit_then_invoice",
        subscription.CreatedAt.UtcDateTime,
        subscription.UpdatedAt.UtcDateTime,
        RatingJson.Utc(subscription.DeletedAt));
}

public sealed record PlanReference(string Id, string Key, int Version);

/// <summary>OpenMeter's <c>SubscriptionExpanded</c>: the subscription with its phases and items laid out in time.</summary>
public sealed record SubscriptionExpandedResponse : SubscriptionResponse
{
    private SubscriptionExpandedResponse(SubscriptionResponse flat, SubscriptionAlignment alignment, IReadOnlyList<SubscriptionPhaseResponse> phases)
        : base(flat)
    {
        Alignment = alignment;
        Phases = phases;
    }

    public SubscriptionAlignment Alignment { get; }

    public IReadOnlyList<SubscriptionPhaseResponse> Phases { get; }

    public static SubscriptionExpandedResponse From(SubscribedPlan source, TimeZoneInfo zone, DateTimeOffset now)
    {
        var (subscription, plan) = (source.Subscription, source.Plan);
        var period = BillingPeriods.Cycle(subscription, zone).Containing(now < subscription.ActiveFrom ? subscription.ActiveFrom : now);
        var phases = new List<SubscriptionPhaseResponse>();
        foreach (var (phase, from, to) in SubscriptionTimeline.Phases(source))
        {
            var end = subscription.ActiveTo is { } activeTo && (to is null || activeTo < to) ? activeTo : to;
            if (end is { } e && e <= from)
            {
                continue;
            }

            var items = phase.RateCards.Select(card => SubscriptionItemResponse.From(subscription, phase, card, from, end)).ToList();
            phases.Add(new SubscriptionPhaseResponse(
                $"{subscription.Id}_{phase.Key}",
                phase.Key,
                phase.Name,
                phase.Description,
                phase.Metadata,
                from.UtcDateTime,
                RatingJson.Utc(end),
                items,
                items.ToDictionary(item => item.Key, item => (IReadOnlyList<SubscriptionItemResponse>)[item], StringComparer.Ordinal),
                subscription.CreatedAt.UtcDateTime,
                subscription.UpdatedAt.UtcDateTime));
        }

        return new SubscriptionExpandedResponse(
            SubscriptionResponse.From(subscription, zone, now, plan.ProRating),
            new SubscriptionAlignment(true, new PeriodResponse(period.From.UtcDateTime, period.To.UtcDateTime)),
            phases);
    }
}

public sealed record SubscriptionAlignment(bool BillablesMustAlign, PeriodResponse CurrentAlignedBillingPeriod);

public sealed record PeriodResponse(DateTime From, DateTime To);

public sealed record SubscriptionPhaseResponse(
    string Id,
    string Key,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    DateTime ActiveFrom,
    DateTime? ActiveTo,
    IReadOnlyList<SubscriptionItemResponse> Items,
    IReadOnlyDictionary<string, IReadOnlyList<SubscriptionItemResponse>> ItemTimelines,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>OpenMeter's <c>SubscriptionItem</c>: a rate card of a phase as the subscription has it.</summary>
public sealed record SubscriptionItemResponse(
    string Id,
    string Key,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    DateTime ActiveFrom,
    DateTime? ActiveTo,
    string? FeatureKey,
    string? BillingCadence,
    JsonElement Price,
    JsonElement? Discounts,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static SubscriptionItemResponse From(Subscription subscription, PlanPhase phase, RateCard card, DateTimeOffset from, DateTimeOffset? to)
    {
        using var json = JsonDocument.Parse(PlanJson.WritePhases([phase with { RateCards = [card] }]));
        var written = json.RootElement[0].GetProperty("rateCards")[0];
        return new SubscriptionItemResponse(
            $"{subscription.Id}_{phase.Key}_{card.Key}",
            card.Key,
            card.Name,
            card.Description,
            card.Metadata,
            from.UtcDateTime,
            RatingJson.Utc(to),
            card.FeatureKey,
            card.BillingCadence?.ToString(),
            written.GetProperty("price").Clone(),
            written.TryGetProperty("discounts", out var discounts) ? discounts.Clone() : null,
            subscription.CreatedAt.UtcDateTime,
            subscription.UpdatedAt.UtcDateTime);
    }
}

/// <summary>OpenMeter's <c>SubscriptionChangeResponseBody</c>.</summary>
public sealed record SubscriptionChangeResponse(SubscriptionResponse Current, SubscriptionExpandedResponse Next);
