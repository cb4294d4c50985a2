using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Pricing;

namespace Tally.Tests.Rating;

public sealed class UsagePricingTests
{
    private static Plan PlanOf(string currency, params RateCard[] cards) =>
        new("tnt", "pln", "pro", "Pro", Currency.Parse(currency), cards, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Price_PerUnit_RoundsEachLineOnceAndSumsRoundedLines()
    {
        var plan = PlanOf("USD", new RateCard("tokens", "tokens", 0.0015m), new RateCard("calls", "calls", 0.333m));

        var (lines, total) = UsagePricing.Price(plan, new Dictionary<string, decimal> { ["tokens"] = 1003m, ["calls"] = 3m });

        Assert.Equal(1.50m, lines[0].Amount.Amount);
        Assert.Equal(1.00m, lines[1].Amount.Amount);
        Assert.Equal(2.50m, total.Amount);
        Assert.Equal("USD", total.Currency.Code);
    }

    [Fact]
    public void Price_MeterWithoutUsage_IsAZeroLine()
    {
        var (lines, total) = UsagePricing.Price(PlanOf("USD", new RateCard("tokens", "tokens", 0.01m)), new Dictionary<string, decimal>());

        Assert.Equal(new RatedLine("tokens", "tokens", 0m, 0.01m, new Money(0m, Currency.Usd)), Assert.Single(lines));
        Assert.Equal(0m, total.Amount);
    }

    [Fact]
    public void Price_ZeroDecimalCurrency_RoundsToWholeUnits()
    {
        var (_, total) = UsagePricing.Price(PlanOf("JPY", new RateCard("tokens", "tokens", 0.15m)), new Dictionary<string, decimal> { ["tokens"] = 15m });

        Assert.Equal(2m, total.Amount);
    }
}
