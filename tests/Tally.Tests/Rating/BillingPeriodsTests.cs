using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using static Tally.Tests.Rating.RatingScenario;

namespace Tally.Tests.Rating;

/// <summary>
/// Rating over each subscription's own period of a label or an instant: anniversaries prorate by their own
/// period's length, a plan change onto another anchor bills each subscription on its cycle, a zone moves
/// the usage window to local midnight, and the calendar month in UTC rates exactly as before.
/// </summary>
public sealed class BillingPeriodsTests
{
    private static readonly TimeZoneInfo Utc = TimeZones.Find("UTC");

    [Fact]
    public void Labelled_CalendarMonthInUtc_RatesExactlyAsTheMonth()
    {
        var plan = Plan(Currency.Usd, FlatCard(30m, cadence: IsoDuration.Month), UsageCard(new UnitPrice(1m)));
        var subscribed = Subscribed(plan, From.AddDays(10));
        var before = Rate(new RatingInput(plan.Currency, From, To, [subscribed], [], []), _ => 7m);

        var input = Input([subscribed], Utc, November);
        var after = Rate(input, _ => 7m);

        Assert.Equal((From, To), (input.From, input.To));
        Assert.Equal(before.Lines.Select(l => (l.From, l.To, l.InvoiceAt, l.ProrationFactor, l.Total)), after.Lines.Select(l => (l.From, l.To, l.InvoiceAt, l.ProrationFactor, l.Total)));
        Assert.Equal(27.00m, after.Total.Amount);
    }

    [Fact]
    public void Labelled_AnniversaryOnThe31st_ProratesByItsOwnPeriodOf31Days()
    {
        // Label 2026-03 of an anchor on the 31st is [28 Feb, 31 Mar), 31 days; subscribed from 10 March: 21 of them.
        var plan = Plan(Currency.Usd, FlatCard(31m, PaymentTerm.InArrears, IsoDuration.Month), UsageCard(new UnitPrice(1m)));
        var start = new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);
        var subscribed = Subscribed(plan, start) with { Subscription = Subscribed(plan, start).Subscription with { BillingAnchor = new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero) } };
        var periodEnd = new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero);

        var input = Input([subscribed], Utc, new BillingPeriod(2026, 3));
        var rated = Rate(input, window => window.From == start && window.To == periodEnd ? 5m : throw new ArgumentException(window.ToString()));

        Assert.Equal((new DateTimeOffset(2026, 2, 28, 0, 0, 0, TimeSpan.Zero), periodEnd), (input.From, input.To));
        Assert.Equal(
            [("base", start, periodEnd, periodEnd, 21m / 31m, 21.00m), ("f", start, periodEnd, periodEnd, 21m / 31m, 5.00m)],
            rated.Lines.Select(l => (l.RateCardKey, l.From, l.To, l.InvoiceAt, l.ProrationFactor, l.Total.Amount)));
    }

    [Fact]
    public void Labelled_PlanChangedOntoAnotherAnchor_BillsEachSubscriptionOnItsOwnCycle()
    {
        // Calendar month until 10 November, then anchored on the 20th: label 2026-11 holds [1, 10 Nov) of
        // the first (9 of 30 days) and [10, 20 Nov) of the second's [20 Oct, 20 Nov) (10 of 31 days).
        var basic = Plan(Currency.Usd, [new PlanPhase("default", "Default", null, [FlatCard(30m, cadence: IsoDuration.Month)])], "basic");
        var pro = Plan(Currency.Usd, [new PlanPhase("default", "Default", null, [FlatCard(31m, cadence: IsoDuration.Month)])], "pro");
        var change = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);
        var first = Subscribed(basic, From.AddMonths(-2), change, "sub_1");
        var second = Subscribed(pro, change, null, "sub_2");
        second = second with { Subscription = second.Subscription with { BillingAnchor = new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero) } };

        var november = Rate(Input([first, second], Utc, November), _ => 0m);
        var december = Rate(Input([first, second], Utc, November.AddMonths(1)), _ => 0m);

        Assert.Equal((new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero), To), (november.From, november.To));
        Assert.Equal(
            [("sub_1", From, change, 9.00m), ("sub_2", change, new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), 10.00m)],
            november.Lines.Select(l => (l.SubscriptionId, l.From, l.To, l.Total.Amount)));
        Assert.Equal([("sub_2", new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), 31.00m)],
            december.Lines.Select(l => (l.SubscriptionId, l.From, l.To, l.Total.Amount)));
    }

    [Fact]
    public void Labelled_CalendarMonthInBerlin_MeasuresFromLocalMidnight()
    {
        var plan = Plan(Currency.Usd, UsageCard(new UnitPrice(1m)));
        var (from, to) = (new DateTimeOffset(2026, 10, 31, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero));

        var input = Input([Subscribed(plan)], TimeZones.Find("Europe/Berlin"), November);

        Assert.Equal([new UsageWindow("f", from, to)], PeriodRating.WindowsToMeasure(input));
    }

    [Fact]
    public void Containing_Instant_RatesEachSubscriptionsCurrentPeriodAndLeavesOutOneNotYetInIt()
    {
        var plan = Plan(Currency.Usd, FlatCard(10m, cadence: IsoDuration.Month));
        var anchored = Subscribed(plan, From.AddMonths(-2), From.AddDays(19), "sub_1");
        anchored = anchored with { Subscription = anchored.Subscription with { BillingAnchor = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero) } };
        var later = Subscribed(plan, From.AddDays(25), null, "sub_2");
        later = later with { Subscription = later.Subscription with { BillingAnchor = From.AddDays(25) } };

        var current = BillingPeriods.Containing([anchored, later], Utc, From.AddDays(10));

        Assert.Equal([("sub_1", new DateTimeOffset(2026, 11, 5, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero))],
            current.Select(s => (s.Subscription.Id, s.Period!.Value.From, s.Period.Value.To)));
    }

    private static RatingInput Input(IReadOnlyList<SubscribedPlan> subscriptions, TimeZoneInfo zone, BillingPeriod label) =>
        RatingInput.Spanning(Currency.Usd, BillingPeriods.Labelled(subscriptions, zone, label), BillingCycle.CalendarMonth(zone).PeriodOf(label), [], []);
}
