using Tally.Billing;
using Tally.Billing.Entitlements;
using Tally.Billing.Rating;

namespace Tally.Rating.Live;

/// <summary>
/// What a rating grain measures now: per feature, the cut instants of its usage windows (the windows
/// the current month's rating reads, and each metered entitlement's burn-down up to the end of its
/// current usage period), and the instant when that stops being enough (the month or a usage period
/// ends), after which the grain rebuilds.
/// </summary>
internal static class LiveWindows
{
    public static (Dictionary<string, SortedSet<DateTimeOffset>> Cuts, DateTimeOffset HorizonEnd) Plan(CustomerCatalog catalog, BillingPeriod period, DateTimeOffset now)
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

        foreach (var window in PeriodRating.WindowsToMeasure(catalog.RatingInput(period.From, period.To)))
        {
            Add(window.FeatureKey, window.From, window.To);
        }

        var horizon = period.To;
        foreach (var entitlement in catalog.Entitlements.Where(e => e.Type == EntitlementType.Metered && e.IsActiveAt(now)))
        {
            var end = entitlement.CurrentUsagePeriod(now)?.To ?? period.To;
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
