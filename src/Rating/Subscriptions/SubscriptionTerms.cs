using System.Globalization;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;

namespace Tally.Rating.Subscriptions;

/// <summary>The rules of starting, changing and ending subscriptions that the routes share.</summary>
internal static class SubscriptionTerms
{
    /// <summary>
    /// OpenMeter's <c>SubscriptionTiming</c>: <c>immediate</c> (now), <c>next_billing_cycle</c> (the start
    /// of the next period of <paramref name="cycle"/>) or an RFC 3339 instant. Null with an error otherwise.
    /// </summary>
    public static DateTimeOffset? Timing(JsonElement body, string field, DateTimeOffset now, bool required, JsonFields fields, BillingCycle cycle)
    {
        if (fields.Get(body, field) is not { } value)
        {
            if (required)
            {
                fields.Add(field, "is required: \"immediate\", \"next_billing_cycle\" or an RFC 3339 date-time.");
            }

            return required ? null : now;
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text)
        {
            if (text == "immediate")
            {
                return now;
            }

            if (text == "next_billing_cycle")
            {
                return cycle.Containing(now).To;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) && Limits.IsStorable(at))
            {
                return at.ToUniversalTime();
            }
        }

        fields.Add(field, $"is {JsonFields.Show(value)}; use \"immediate\", \"next_billing_cycle\" or an RFC 3339 date-time {Limits.StorableRange}.");
        return null;
    }

    /// <summary>
    /// OpenMeter's <c>billingAnchor</c>: an RFC 3339 instant whose local day of month and time of day (in
    /// the customer's time zone) the periods turn on, normalised to the minute (usage is stored per
    /// minute); null when absent.
    /// </summary>
    public static DateTimeOffset? BillingAnchor(JsonElement body, JsonFields fields) =>
        fields.Instant(body, "billingAnchor", "", required: false) is { } anchor
            ? new DateTimeOffset(anchor.UtcTicks - (anchor.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero)
            : null;

    /// <summary>The plan version a <c>{key, version?}</c> reference names: that version (published), or the key's active one.</summary>
    public static async Task<Plan?> PlanAsync(IPlanStore plans, string tenantId, JsonElement body, string field, DateTimeOffset now, JsonFields fields, CancellationToken cancellationToken)
    {
        if (fields.Get(body, field) is not { } reference)
        {
            fields.Add(field, "is required: {\"key\": \"<plan key>\"} with an optional \"version\".");
            return null;
        }

        var key = fields.Text(reference, "key", field, required: true, maxLength: CatalogKey.MaxLength);
        var version = fields.Int(reference, "version", field, 1, int.MaxValue);
        if (key is null)
        {
            return null;
        }

        var versions = (await plans.VersionsAsync(tenantId, key, cancellationToken)).Where(p => p.DeletedAt is null).ToList();
        var plan = version is { } v
            ? versions.FirstOrDefault(p => p.Version == v && p.EffectiveFrom is not null)
            : versions.LastOrDefault(p => p.StatusAt(now) == PlanStatus.Active);
        if (plan is null)
        {
            fields.Add(JsonFields.Path(field, version is null ? "key" : "version"), version is null
                ? $"plan \"{key}\" has no active version; publish one with POST /api/v1/plans/{{planId}}/publish."
                : $"plan \"{key}\" has no published version {version}.");
        }

        return plan;
    }

    /// <summary>
    /// The entitlements a subscription's plan grants: one per rate card with an entitlement template,
    /// in force while the card's phase is and the subscription lasts; metered ones reset every
    /// <c>usagePeriod</c> (default: monthly, anchored where the subscription's billing period starts)
    /// and issue <c>issueAfterReset</c> again at each reset.
    /// </summary>
    public static IReadOnlyList<Entitlement> Entitlements(Subscription subscription, Plan plan, IReadOnlyDictionary<string, Feature> features, TimeZoneInfo zone)
    {
        var granted = new List<Entitlement>();
        // The anchor itself, not a boundary near the start: from the 28 February of an anchor on the 31st, months would drift to the 28th.
        var anchor = subscription.BillingAnchor ?? BillingCycle.CalendarMonth(zone).Containing(subscription.ActiveFrom).From;
        foreach (var (phase, from, to) in SubscriptionTimeline.Phases(new SubscribedPlan(subscription, plan)))
        {
            var end = subscription.ActiveTo is { } activeTo && (to is null || activeTo < to) ? activeTo : to;
            if (end is { } e && e <= from)
            {
                continue;
            }

            foreach (var card in phase.RateCards)
            {
                if (card.EntitlementTemplate is not { } template || card.FeatureKey is not { } key || !features.TryGetValue(key, out var feature))
                {
                    continue;
                }

                var entitlement = new Entitlement(
                    subscription.TenantId,
                    Ids.NewUlid(subscription.CreatedAt),
                    template switch
                    {
                        MeteredEntitlementTemplate => EntitlementType.Metered,
                        StaticEntitlementTemplate => EntitlementType.Static,
                        _ => EntitlementType.Boolean,
                    },
                    subscription.CustomerId,
                    feature.Id,
                    feature.Key,
                    from,
                    end,
                    subscription.CreatedAt)
                {
                    SubscriptionId = subscription.Id,
                };
                granted.Add(template switch
                {
                    MeteredEntitlementTemplate metered => entitlement with
                    {
                        UsagePeriod = new RecurringPeriod(metered.UsagePeriod ?? card.BillingCadence ?? IsoDuration.Month, anchor),
                        MeasureUsageFrom = from,
                        IsSoftLimit = metered.IsSoftLimit,
                        PreserveOverageAtReset = metered.PreserveOverageAtReset,
                        IssueAmount = metered.IssueAfterReset,
                        IssuePriority = metered.IssueAfterResetPriority,
                    },
                    StaticEntitlementTemplate config => entitlement with { Config = config.Config },
                    _ => entitlement,
                });
            }
        }

        return granted;
    }
}
