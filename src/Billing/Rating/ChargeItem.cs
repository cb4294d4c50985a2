using Tally.Billing.Catalog;
using Tally.Billing.Subscriptions;

namespace Tally.Billing.Rating;

/// <summary>
/// A rate card in force over [<see cref="From"/>, <see cref="To"/>) within a billing period
/// [<see cref="PeriodFrom"/>, <see cref="PeriodTo"/>) of its subscription: the part of a plan phase that
/// the subscription covers in the period.
/// </summary>
public sealed record ChargeItem(SubscribedPlan Source, PlanPhase Phase, RateCard Card, DateTimeOffset From, DateTimeOffset To, DateTimeOffset PhaseStart, DateTimeOffset PeriodFrom, DateTimeOffset PeriodTo)
{
    public Subscription Subscription => Source.Subscription;

    /// <summary>The usage window of a usage-based card (null for flat fees).</summary>
    public UsageWindow? Window => Card.Type == RateCardType.UsageBased && Card.FeatureKey is { } feature && Card.Price is Pricing.UsagePrice
        ? new UsageWindow(feature, From, To)
        : null;
}

/// <summary>Which rate cards are in force when: the phases of each subscription's plan laid out from its start.</summary>
public static class SubscriptionTimeline
{
    /// <summary>
    /// The items of <paramref name="subscriptions"/> in their billing periods: each subscription's own
    /// (<see cref="SubscribedPlan.Period"/>), else [<paramref name="from"/>, <paramref name="to"/>); by
    /// subscription, phase and card order.
    /// </summary>
    public static IReadOnlyList<ChargeItem> Items(IReadOnlyList<SubscribedPlan> subscriptions, DateTimeOffset from, DateTimeOffset to)
    {
        var items = new List<ChargeItem>();
        foreach (var source in subscriptions.OrderBy(s => s.Subscription.ActiveFrom))
        {
            var subscription = source.Subscription;
            if (subscription.DeletedAt is not null)
            {
                continue;
            }

            var (periodFrom, periodTo) = source.Period ?? (from, to);

            foreach (var (phase, phaseFrom, phaseTo) in Phases(source))
            {
                var itemFrom = Max(Max(phaseFrom, subscription.ActiveFrom), periodFrom);
                var itemTo = Min(Min(phaseTo ?? DateTimeOffset.MaxValue, subscription.ActiveTo ?? DateTimeOffset.MaxValue), periodTo);
                if (itemFrom >= itemTo)
                {
                    continue;
                }

                items.AddRange(phase.RateCards.Select(card => new ChargeItem(source, phase, card, itemFrom, itemTo, phaseFrom, periodFrom, periodTo)));
            }
        }

        return items;
    }

    /// <summary>Each phase of the subscription's plan with the instants it starts and ends (null: never).</summary>
    public static IEnumerable<(PlanPhase Phase, DateTimeOffset From, DateTimeOffset? To)> Phases(SubscribedPlan source)
    {
        var start = source.Subscription.ActiveFrom;
        foreach (var phase in source.Plan.Phases)
        {
            DateTimeOffset? end = phase.Duration is { } duration ? duration.AddTo(start) : null;
            yield return (phase, start, end);
            if (end is not { } next)
            {
                yield break;
            }

            start = next;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
