using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Pricing;

namespace Tally.Billing.Rating;

/// <summary>
/// Rates a customer's billing period: the one function both the live bill (the rating grain) and the
/// period close use, so a closed period is billed exactly as it was shown while open. Pure. Call
/// <see cref="WindowsToMeasure"/>, measure each window's usage of its feature (the meter's aggregate
/// over the window, with the feature's filters), then <see cref="Rate"/>.
/// </summary>
public static class PeriodRating
{
    /// <summary>
    /// The usage windows <see cref="Rate"/> reads: each usage-based item's own window, and for a feature
    /// with a metered entitlement the windows of its grant burn-down (which may start before the period,
    /// at the last reset from which the burn-down does not depend on earlier usage).
    /// </summary>
    public static IReadOnlyList<UsageWindow> WindowsToMeasure(RatingInput input)
    {
        var items = SubscriptionTimeline.Items(input.Subscriptions, input.From, input.To);
        var windows = new List<UsageWindow>();
        windows.AddRange(items.Select(item => item.Window).OfType<UsageWindow>());
        foreach (var (entitlement, grants, cuts) in BurnDowns(input, items))
        {
            windows.AddRange(GrantBurnDown.Windows(entitlement, grants, input.From, BurnDownEnd(input, entitlement), cuts)
                .Select(window => new UsageWindow(entitlement.FeatureKey, window.From, window.To)));
        }

        return [.. windows.Distinct()];
    }

    /// <summary>
    /// The rated period: a line for every rate card with a price in force in the period, in subscription,
    /// phase and card order. Flat fees are charged in full for each period they cover (prorated by time
    /// when the plan prorates), one-time fees (no cadence) in the period their phase starts in.
    /// </summary>
    /// <exception cref="ArgumentException">A plan's currency is not <see cref="RatingInput.Currency"/>, or a window was not measured.</exception>
    /// <exception cref="RatingOverflowException">An amount exceeds what a decimal holds.</exception>
    public static RatedPeriod Rate(RatingInput input, MeasuredUsage usage)
    {
        foreach (var source in input.Subscriptions.Where(s => s.Plan.Currency != input.Currency))
        {
            throw new ArgumentException($"Subscription {source.Subscription.Id} is priced in {source.Plan.Currency}, the period in {input.Currency}: one currency per customer.", nameof(input));
        }

        var items = SubscriptionTimeline.Items(input.Subscriptions, input.From, input.To);
        var granted = GrantsApplied(input, items, usage);
        var lines = new List<RatedLine>();
        foreach (var item in items)
        {
            // Prorated by the share of its own subscription's period: periods differ in length, and a
            // customer's subscriptions may be on different cycles.
            var proration = item.Source.Plan.ProRating ? (item.To - item.From).Ticks / (decimal)(item.PeriodTo - item.PeriodFrom).Ticks : 1m;
            try
            {
                var line = (item.Card.Price, item.Card.BillingCadence) switch
                {
                    (FlatPrice flat, null) when item.PhaseStart >= item.PeriodFrom && item.PhaseStart < item.PeriodTo && item.PhaseStart >= item.Subscription.ActiveFrom
                        => LineRating.Flat(item, flat, input.Currency, 1m, item.PeriodTo),
                    (FlatPrice, null) => null,
                    (FlatPrice flat, _) => LineRating.Flat(item, flat, input.Currency, proration, item.PeriodTo),
                    (UsagePrice price, _) when item.Window is { } window =>
                        LineRating.Usage(item, price, input.Currency, usage.Of(window), granted.GetValueOrDefault(item, []), proration, item.PeriodTo),
                    _ => null,
                };
                if (line is not null)
                {
                    lines.Add(line);
                }
            }
            catch (OverflowException overflow)
            {
                throw new RatingOverflowException(item.Card.Key, overflow);
            }
        }

        return new RatedPeriod(input.Currency, input.From, input.To, lines);
    }

    /// <summary>Per usage item, the grants that covered its usage: the burn-down segments inside its window, summed per grant.</summary>
    private static Dictionary<ChargeItem, IReadOnlyList<GrantApplied>> GrantsApplied(RatingInput input, IReadOnlyList<ChargeItem> items, MeasuredUsage usage)
    {
        var applied = new Dictionary<ChargeItem, IReadOnlyList<GrantApplied>>(ReferenceEqualityComparer.Instance);
        foreach (var (entitlement, grants, cuts) in BurnDowns(input, items))
        {
            var result = GrantBurnDown.Run(
                entitlement,
                grants,
                input.From,
                BurnDownEnd(input, entitlement),
                (from, to) => usage.Of(new UsageWindow(entitlement.FeatureKey, from, to)),
                cuts);
            foreach (var item in items.Where(i => i.Window?.FeatureKey == entitlement.FeatureKey))
            {
                var byGrant = result.Segments
                    .Where(segment => segment.From >= item.From && segment.To <= item.To)
                    .SelectMany(segment => segment.ByGrant)
                    .GroupBy(pair => pair.Key, StringComparer.Ordinal)
                    .Select(group => new GrantApplied(group.Key, group.Sum(pair => pair.Value)))
                    .Where(grant => grant.Quantity > 0m)
                    .OrderBy(grant => grant.GrantId, StringComparer.Ordinal)
                    .ToList();
                if (byGrant.Count > 0)
                {
                    applied[item] = applied.TryGetValue(item, out var earlier) ? [.. earlier, .. byGrant] : byGrant;
                }
            }
        }

        return applied;
    }

    /// <summary>Each metered entitlement in the period whose feature a usage item prices, with its grants and the item boundaries to cut at.</summary>
    private static IEnumerable<(Entitlement Entitlement, IReadOnlyList<Grant> Grants, IReadOnlyList<DateTimeOffset> Cuts)> BurnDowns(RatingInput input, IReadOnlyList<ChargeItem> items)
    {
        foreach (var entitlement in input.Entitlements.Where(e => e.Type == EntitlementType.Metered && e.DeletedAt is null))
        {
            var priced = items.Where(item => item.Window?.FeatureKey == entitlement.FeatureKey).ToList();
            if (priced.Count == 0 || entitlement.ActiveFrom >= input.To || entitlement.ActiveTo is { } end && end <= input.From)
            {
                continue;
            }

            IReadOnlyList<Grant> grants = [.. input.Grants.Where(grant => grant.EntitlementId == entitlement.Id)];
            yield return (entitlement, grants, [input.From, .. priced.SelectMany(item => new[] { item.From, item.To })]);
        }
    }

    private static DateTimeOffset BurnDownEnd(RatingInput input, Entitlement entitlement) =>
        entitlement.ActiveTo is { } activeTo && activeTo < input.To ? activeTo : input.To;
}

/// <summary>An amount of a rate card exceeds what Tally can represent (about 7.9e28).</summary>
public sealed class RatingOverflowException(string rateCardKey, Exception inner)
    : Exception($"Rate card {rateCardKey} comes to more than Tally can represent (79228162514264337593543950335); check its usage and prices.", inner)
{
    public string RateCardKey { get; } = rateCardKey;
}
