using Tally.Billing.Calendar;
using Tally.Billing.Entitlements;
using Tally.Billing.Rating;

namespace Tally.Rating.Live;

/// <summary>
/// What a rating grain measures now: per feature, the cut instants of its usage windows (the windows
/// the current periods' rating reads, and each metered entitlement's burn-down up to the end of its
/// current usage period), and the instant when that stops being enough (a subscription's current
/// billing period, the customer's calendar month or a usage period ends), after which the grain rebuilds.
/// </summary>
internal static class LiveWindows
{
    public static (Dictionary<string, SortedSet<DateTimeOffset>> Cuts, DateTimeOffset HorizonEnd) Plan(CustomerCatalog catalog, DateTimeOffset now)
    {
        var cuts = new Dictionary<string, SortedSet<DateTimeOffset>>(StringComparer.Ordinal);
        void Add(string feature, DateTimeOffset from, DateTimeOffset to)
        {
            if (!cuts.TryGetValue(feature, out var set))
            {
                cuts[feature] = set = [];
            }

            set.Add(from);
            set.Add(to);
        }

        foreach (var window in PeriodRating.WindowsToMeasure(catalog.CurrentRatingInput(now)))
        {
            Add(window.FeatureKey, window.From, window.To);
        }

        // Every subscription's current period (a scheduled one's too: it joins the bill when its period begins).
        var horizon = BillingCycle.CalendarMonth(catalog.Zone).Containing(now).To;
        foreach (var source in catalog.Subscriptions.Where(s => s.Subscription.DeletedAt is null))
        {
            var end = BillingPeriods.Cycle(source.Subscription, catalog.Zone).Containing(now).To;
            horizon = end < horizon ? end : horizon;
        }
        foreach (var entitlement in catalog.Entitlements.Where(e => e.Type == EntitlementType.Metered && e.IsActiveAt(now)))
        {
            var end = entitlement.CurrentUsagePeriod(now)?.To ?? horizon;
            if (entitlement.ActiveTo is { } activeTo && activeTo < end)
            {
                end = activeTo;
            }

            horizon = end < horizon ? end : horizon;
            foreach (var (from, to) in GrantBurnDown.Windows(entitlement, catalog.GrantsOf(entitlement), now, end))
            {
                Add(entitlement.FeatureKey, from, to);
            }
        }

        return (cuts, horizon);
    }
}
