using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Entitlements;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using static Tally.Tests.Rating.RatingScenario;

namespace Tally.Tests.Rating;

/// <summary>
/// One line's money, hand-computed: discounts, commitments below and above, grants covering part,
/// all, or expiring mid-period, proration of flat fees and commitments, and the rounding per line
/// then total (the total is the sum of the rounded lines).
/// </summary>
public sealed class LineRatingTests
{
    [Fact]
    public void Rate_PercentageDiscount_TakesItOffTheRoundedAmount()
    {
        var line = Line(Graduated(), 101m, discounts: new Discounts(10m, null));

        Assert.Equal((110.50m, 11.05m, 99.45m), (line.Amount.Amount, line.Discount.Amount, line.Total.Amount));
    }

    [Fact]
    public void Rate_UsageDiscount_PricesOnlyTheQuantityAfterIt()
    {
        var line = Line(Graduated(), 150m, discounts: new Discounts(null, 50m));

        Assert.Equal((150m, 50m, 100m, 100.00m), (line.Quantity, line.UsageDiscountQuantity, line.PricedQuantity, line.Total.Amount));
    }

    [Fact]
    public void Rate_UsageDiscountAboveUsage_ChargesNothing()
    {
        var line = Line(new UnitPrice(2m), 30m, discounts: new Discounts(null, 50m));

        Assert.Equal((30m, 0m, 0.00m), (line.UsageDiscountQuantity, line.PricedQuantity, line.Total.Amount));
    }

    [Fact]
    public void Rate_BelowMinimumCommitment_TopsUpToTheMinimum()
    {
        var line = Line(Graduated() with { Commitments = new Commitments(200m, null) }, 101m);

        Assert.Equal((110.50m, 89.50m, 200.00m), (line.Amount.Amount, line.MinimumSpendCharge.Amount, line.Total.Amount));
    }

    [Fact]
    public void Rate_AboveMinimumCommitment_ChargesTheUsage()
    {
        var line = Line(Graduated() with { Commitments = new Commitments(100m, null) }, 150m);

        Assert.Equal((135.00m, 0m, 135.00m), (line.Amount.Amount, line.MinimumSpendCharge.Amount, line.Total.Amount));
    }

    [Fact]
    public void Rate_AboveMaximumCommitment_CapsAtTheMaximum()
    {
        var line = Line(Graduated() with { Commitments = new Commitments(null, 150m) }, 201m);

        Assert.Equal((160.25m, 10.25m, 150.00m), (line.Amount.Amount, line.MaximumSpendDiscount.Amount, line.Total.Amount));
        Assert.Equal(10.25m, line.DiscountsTotal.Amount);
    }

    [Fact]
    public void Rate_ZeroUsageWithMinimumCommitment_ChargesTheMinimum()
    {
        var line = Line(new UnitPrice(0.01m) { Commitments = new Commitments(25m, 100m) }, 0m);

        Assert.Equal((0.00m, 25.00m, 25.00m), (line.Amount.Amount, line.MinimumSpendCharge.Amount, line.Total.Amount));
    }

    [Fact]
    public void Rate_GrantCoversPart_CreditsThePriceOfTheCoveredUnits()
    {
        var rated = RateWithGrants(Graduated(), [Grant("g1", 60m, From)], (_, _) => 150m);

        var line = Assert.Single(rated.Lines);
        Assert.Equal((150m, 60m, 135.00m, 45.00m, 90.00m), (line.PricedQuantity, line.GrantedQuantity, line.Amount.Amount, line.Credits.Amount, line.Total.Amount));
        Assert.Equal([new GrantApplied("g1", 60m)], line.Grants);
        Assert.Equal(45.00m, rated.CreditsTotal.Amount);
    }

    [Fact]
    public void Rate_GrantCoversAll_TotalIsZero()
    {
        var line = Assert.Single(RateWithGrants(new UnitPrice(0.5m), [Grant("g1", 100m, From)], (_, _) => 80m).Lines);

        Assert.Equal((80m, 40.00m, 40.00m, 0.00m), (line.GrantedQuantity, line.Amount.Amount, line.Credits.Amount, line.Total.Amount));
    }

    [Fact]
    public void Rate_GrantExpiringMidPeriod_CoversOnlyUsageBeforeItExpires()
    {
        var expires = From.AddDays(15);
        var rated = RateWithGrants(new UnitPrice(1m), [Grant("g1", 100m, From, expiration: new GrantExpiration(ExpirationUnit.Day, 15))], (from, to) => (from, to) == (From, To) ? 140m : from < expires ? 60m : 80m);

        var line = Assert.Single(rated.Lines);
        Assert.Equal((140m, 60m, 140.00m, 60.00m, 80.00m), (line.Quantity, line.GrantedQuantity, line.Amount.Amount, line.Credits.Amount, line.Total.Amount));
    }

    [Fact]
    public void Rate_GrantUnderVolumeTiers_NeverRaisesTheLine()
    {
        var line = Assert.Single(RateWithGrants(Volume(), [Grant("g1", 1m, From)], (_, _) => 101m).Lines);

        Assert.Equal((1m, 85.80m, 0.00m, 85.80m), (line.GrantedQuantity, line.Amount.Amount, line.Credits.Amount, line.Total.Amount));
    }

    [Fact]
    public void Rate_FlatFeesAndUsage_RoundEachLineThenSumTheRoundedLines()
    {
        // 1001 x 0.005 = 5.005 and 2002 x 0.0025 = 5.005: each line rounds to 5.01, so the total is 10.02
        // where rounding the unrounded sum (10.01) would lose a cent.
        var plan = Plan(Currency.Usd, UsageCard(new UnitPrice(0.005m), feature: "input"), UsageCard(new UnitPrice(0.0025m), feature: "output"));
        var rated = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [], []), w => w.FeatureKey == "input" ? 1001m : 2002m);

        Assert.Equal([5.01m, 5.01m], rated.Lines.Select(l => l.Total.Amount));
        Assert.Equal(10.02m, rated.Total.Amount);
    }

    [Fact]
    public void Rate_SubscriptionStartingMidMonth_ProratesFlatFeesAndCommitmentsNotUsage()
    {
        var plan = Plan(Currency.Usd, FlatCard(30m, cadence: IsoDuration.Month), UsageCard(new UnitPrice(1m) { Commitments = new Commitments(60m, null) }));
        var start = From.AddDays(20);
        var rated = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan, start)], [], []), _ => 5m);

        Assert.Equal([(start, 10.00m, 1m / 3m), (start, 20.00m, 1m / 3m)], rated.Lines.Select(l => (l.From, l.Total.Amount, l.ProrationFactor)));
        Assert.Equal(15.00m, rated.Lines[1].MinimumSpendCharge.Amount);
    }

    [Fact]
    public void Rate_FlatFeeInAdvanceAndInArrears_InvoiceAtStartAndAtPeriodEnd()
    {
        var plan = Plan(Currency.Usd, FlatCard(49m, PaymentTerm.InAdvance, IsoDuration.Month, "advance"), FlatCard(19m, PaymentTerm.InArrears, IsoDuration.Month, "arrears"));

        var rated = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [], []), _ => 0m);

        Assert.Equal([("advance", From, 49.00m), ("arrears", To, 19.00m)], rated.Lines.Select(l => (l.RateCardKey, l.InvoiceAt, l.Total.Amount)));
    }

    [Fact]
    public void Rate_OneTimeFee_IsChargedInThePeriodItsPhaseStartsOnly()
    {
        var plan = Plan(Currency.Usd, FlatCard(99m, cadence: null, key: "setup"));

        var startedEarlier = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [], []), _ => 0m);
        var startsNow = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan, From.AddDays(3))], [], []), _ => 0m);

        Assert.Empty(startedEarlier.Lines);
        Assert.Equal(99.00m, Assert.Single(startsNow.Lines).Total.Amount);
    }

    [Fact]
    public void Rate_PlanChangedMidMonth_BillsEachPlanForItsPartWithFlatFeesProrated()
    {
        var basic = Plan(Currency.Usd, [new Tally.Billing.Catalog.PlanPhase("default", "Default", null, [FlatCard(30m, cadence: IsoDuration.Month), UsageCard(new UnitPrice(1m))])], "basic");
        var pro = Plan(Currency.Usd, [new Tally.Billing.Catalog.PlanPhase("default", "Default", null, [FlatCard(90m, cadence: IsoDuration.Month), UsageCard(new UnitPrice(0.5m))])], "pro");
        var change = From.AddDays(10);
        var input = new RatingInput(Currency.Usd, From, To, [Subscribed(basic, From.AddMonths(-2), change, "sub_basic"), Subscribed(pro, change, null, "sub_pro")], [], []);

        var rated = Rate(input, w => w.From == From ? 40m : 100m);

        Assert.Equal(
            [("sub_basic", "base", 10.00m), ("sub_basic", "f", 40.00m), ("sub_pro", "base", 60.00m), ("sub_pro", "f", 50.00m)],
            rated.Lines.Select(l => (l.SubscriptionId, l.RateCardKey, l.Total.Amount)));
        Assert.Equal(160.00m, rated.Total.Amount);
        Assert.Equal([new UsageWindow("f", From, change), new UsageWindow("f", change, To)], PeriodRating.WindowsToMeasure(input));
    }

    [Fact]
    public void Rate_PhasesEndingMidMonth_ChargeEachPhaseForItsPart()
    {
        var plan = Plan(Currency.Usd,
        [
            new Tally.Billing.Catalog.PlanPhase("trial", "Trial", new IsoDuration(0, 14, TimeSpan.Zero), [UsageCard(new UnitPrice(0m))]),
            new Tally.Billing.Catalog.PlanPhase("paid", "Paid", null, [UsageCard(new UnitPrice(2m))]),
        ]);
        var start = From.AddDays(5);

        var rated = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan, start)], [], []), w => w.From == start ? 7m : 3m);

        Assert.Equal([("trial", start, start.AddDays(14), 0.00m), ("paid", start.AddDays(14), To, 6.00m)], rated.Lines.Select(l => (l.PhaseKey, l.From, l.To, l.Total.Amount)));
    }

    [Fact]
    public void Rate_PlanInAnotherCurrency_IsRefused()
    {
        var plan = Plan(Currency.Parse("EUR"), UsageCard(new UnitPrice(1m)));

        var error = Assert.Throws<ArgumentException>(() => Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [], []), _ => 1m));

        Assert.StartsWith("Subscription sub_1 is priced in EUR, the period in USD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_AmountBeyondADecimal_ThrowsRatingOverflowNamingTheCard()
    {
        var error = Assert.Throws<RatingOverflowException>(() => Line(new UnitPrice(79228162514264337593543950m), 10000m));

        Assert.Equal("f", error.RateCardKey);
    }

    private static RatedPeriod RateWithGrants(UsagePrice price, IReadOnlyList<Grant> grants, Func<DateTimeOffset, DateTimeOffset, decimal> usage)
    {
        var plan = Plan(Currency.Usd, UsageCard(price));
        var input = new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [Metered()], grants);
        return Rate(input, w => usage(w.From, w.To));
    }
}
