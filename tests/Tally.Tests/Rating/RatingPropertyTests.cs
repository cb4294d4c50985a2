using FsCheck;
using FsCheck.Fluent;
using Tally.Billing;
using Tally.Billing.Meters;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using Tally.Billing.Usage;
using static Tally.Tests.Rating.RatingScenario;

namespace Tally.Tests.Rating;

/// <summary>Properties of rating that must hold for any prices and quantities (FsCheck, a few hundred cases each).</summary>
public sealed class RatingPropertyTests
{
    private static readonly Config Cases = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Graduated_MoreUsage_NeverCostsLess()
    {
        var cases =
            from tiers in Gen.Choose(1, 6)
            from bounds in Gen.ArrayOf(Gen.Choose(1, 1000), tiers)
            from units in Gen.ArrayOf(Gen.Choose(0, 500), tiers + 1)
            from flats in Gen.ArrayOf(Gen.Choose(0, 5000), tiers + 1)
            from quantity in Gen.Choose(0, 100_000)
            from more in Gen.Choose(0, 100_000)
            select (Price: Graduated(bounds, units, flats), Quantity: quantity / 10m, Larger: (quantity + more) / 10m);

        Check.One(Cases, Prop.ForAll(cases.ToArbitrary(), c => UsagePricing.Charge(c.Price, c.Quantity).Amount <= UsagePricing.Charge(c.Price, c.Larger).Amount));
    }

    [Fact]
    public void LiveBook_UsageInTwoIncrements_RatesAsTheTotalOnce()
    {
        var cases =
            from first in Gen.Choose(0, 1_000_000)
            from second in Gen.Choose(0, 1_000_000)
            from model in Gen.Choose(0, 3)
            select (First: first / 100m, Second: second / 100m, Price: PriceOf(model));

        Check.One(Cases, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var plan = Plan(Currency.Usd, UsageCard(c.Price));
            var input = new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [], []);
            var book = new UsageBook([("f", Meter(), PeriodRating.WindowsToMeasure(input).SelectMany(w => new[] { w.From, w.To }))]);
            book.Apply("call", From.AddDays(1), "s", "1", $$"""{"n":{{c.First}}}""");
            book.Apply("call", From.AddDays(2), "s", "2", $$"""{"n":{{c.Second}}}""");

            var incremental = PeriodRating.Rate(input, book.Measure(PeriodRating.WindowsToMeasure(input)));
            var once = Rate(input, _ => c.First + c.Second);

            return incremental.Total == once.Total && incremental.Lines[0].Amount == once.Lines[0].Amount;
        }));
    }

    [Fact]
    public void Grants_NeverRaiseATotal()
    {
        var cases =
            from quantity in Gen.Choose(0, 1_000_000)
            from granted in Gen.Choose(0, 1_000_000)
            from model in Gen.Choose(0, 3)
            from percentage in Gen.Choose(0, 100)
            from usageDiscount in Gen.Choose(0, 6)
            from commitment in Gen.Choose(0, 3)
            select (Quantity: quantity / 10m, Granted: granted / 10m, Price: PriceOf(model) with
            {
                Commitments = new Commitments(commitment is 1 or 3 ? 50m : null, commitment >= 2 ? 5000m : null),
            }, Discounts: new Discounts(percentage, usageDiscount * 10m));

        Check.One(Cases, Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var plan = Plan(Currency.Usd, UsageCard(c.Price, c.Discounts));
            var without = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [], []), _ => c.Quantity);
            var with = Rate(new RatingInput(Currency.Usd, From, To, [Subscribed(plan)], [Metered()], [Grant("g", c.Granted, From)]), _ => c.Quantity);
            return with.Total.Amount <= without.Total.Amount && with.CreditsTotal.Amount >= 0m;
        }));
    }

    private static MeterDefinition Meter() =>
        new("tnt", "mtr", "calls", null, "call", MeterAggregation.Sum, "$.n", new Dictionary<string, string>(), From);

    private static UsagePrice PriceOf(int model) => model switch
    {
        0 => RatingScenario.Graduated(),
        1 => Volume(),
        2 => new PackagePrice(2.5m, 100m),
        _ => new UnitPrice(0.0137m),
    };

    /// <summary>A valid graduated price: increasing bounds, non-negative prices in cents, the last tier unbounded.</summary>
    private static TieredPrice Graduated(int[] steps, int[] unitCents, int[] flatCents)
    {
        var tiers = new List<PriceTier>();
        var upTo = 0m;
        for (var i = 0; i <= steps.Length; i++)
        {
            decimal? bound = i == steps.Length ? null : upTo += steps[i];
            tiers.Add(new PriceTier(bound, flatCents[i] % 3 == 0 ? null : flatCents[i] / 100m, unitCents[i] / 100m));
        }

        return new TieredPrice(TierMode.Graduated, tiers);
    }
}
