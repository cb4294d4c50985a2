using Tally.Billing.Calendar;
using Tally.Billing.Subscriptions;

namespace Tally.Billing.Rating;

/// <summary>
/// Which billing period of each of a customer's subscriptions a close label or an instant means: every
/// subscription bills on its own cycle (<see cref="BillingCycle"/>: its billing anchor, or the calendar
/// month, in the customer's time zone), so a customer whose plan changed to another anchor has two
/// periods in one label, each prorated and measured on its own.
/// </summary>
public static class BillingPeriods
{
    /// <summary>The cycle a subscription bills on in <paramref name="zone"/>.</summary>
    public static BillingCycle Cycle(Subscription subscription, TimeZoneInfo zone) => BillingCycle.Of(subscription.BillingAnchor, zone);

    /// <summary>The subscriptions billed under <paramref name="label"/>, each with its period of that label; those not in force in it are left out.</summary>
    public static IReadOnlyList<SubscribedPlan> Labelled(IEnumerable<SubscribedPlan> subscriptions, TimeZoneInfo zone, BillingPeriod label) =>
        InForce(subscriptions, zone, cycle => cycle.PeriodOf(label));

    /// <summary>The subscriptions whose period containing <paramref name="instant"/> they are in force in, each with that period.</summary>
    public static IReadOnlyList<SubscribedPlan> Containing(IEnumerable<SubscribedPlan> subscriptions, TimeZoneInfo zone, DateTimeOffset instant) =>
        InForce(subscriptions, zone, cycle => cycle.Containing(instant));

    private static IReadOnlyList<SubscribedPlan> InForce(IEnumerable<SubscribedPlan> subscriptions, TimeZoneInfo zone, Func<BillingCycle, (DateTimeOffset From, DateTimeOffset To)> period) =>
        [.. subscriptions
            .Where(s => s.Subscription.DeletedAt is null)
            .Select(s => s with { Period = period(Cycle(s.Subscription, zone)) })
            .Where(s => s.Subscription.Overlaps(s.Period!.Value.From, s.Period.Value.To))];
}
