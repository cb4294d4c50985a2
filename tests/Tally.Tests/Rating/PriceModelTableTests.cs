using System.Globalization;
using Tally.Billing;
using Tally.Billing.Pricing;
using static Tally.Tests.Rating.RatingScenario;

namespace Tally.Tests.Rating;

/// <summary>
/// Hand-computed charges for every price model: at, one below and one above each tier boundary, zero,
/// fractional and huge quantities, package round-up. Amounts are exact (before the line rounds them).
/// Graduated: 0-100 at 1.00; 100-200 at 0.50 plus 10 flat; above 200 at 0.25.
/// Volume: up to 100 at 1.00; up to 200 at 0.80 plus 5 flat; above at 0.50 plus 20 flat.
/// Package: 2.50 per started 1,000. Unit: 0.0015.
/// </summary>
public sealed class PriceModelTableTests
{
    [Theory]
    [InlineData("graduated", "0", "0")]
    [InlineData("graduated", "99", "99")]
    [InlineData("graduated", "100", "100")]
    [InlineData("graduated", "101", "110.5")]
    [InlineData("graduated", "100.5", "110.25")]
    [InlineData("graduated", "199", "159.5")]
    [InlineData("graduated", "200", "160")]
    [InlineData("graduated", "201", "160.25")]
    [InlineData("graduated", "1000000000000", "250000000110")]
    [InlineData("volume", "0", "0")]
    [InlineData("volume", "0.5", "0.5")]
    [InlineData("volume", "99", "99")]
    [InlineData("volume", "100", "100")]
    [InlineData("volume", "101", "85.8")]
    [InlineData("volume", "199", "164.2")]
    [InlineData("volume", "200", "165")]
    [InlineData("volume", "201", "120.5")]
    [InlineData("package", "0", "0")]
    [InlineData("package", "1", "2.5")]
    [InlineData("package", "999", "2.5")]
    [InlineData("package", "1000", "2.5")]
    [InlineData("package", "1001", "5")]
    [InlineData("package", "2500.5", "7.5")]
    [InlineData("unit", "0", "0")]
    [InlineData("unit", "0.5", "0.00075")]
    [InlineData("unit", "1003", "1.5045")]
    [InlineData("unit", "100000000000000000000", "150000000000000000")]
    [InlineData("unit", "-5", "0")]
    public void Charge_PriceModelAtQuantity_IsTheHandComputedAmount(string model, string quantity, string expected)
    {
        var charge = UsagePricing.Charge(Price(model), decimal.Parse(quantity, CultureInfo.InvariantCulture));

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), charge.Amount);
    }

    [Fact]
    public void Charge_GraduatedAcrossAllTiers_ListsEachTierItReached()
    {
        var charge = UsagePricing.Charge(Graduated(), 250m);

        Assert.Equal(
            [new TierCharge(0, 0m, 100m, 100m, 1m, null, 100m), new TierCharge(1, 100m, 200m, 100m, 0.5m, 10m, 60m), new TierCharge(2, 200m, null, 50m, 0.25m, null, 12.5m)],
            charge.Tiers);
        Assert.Equal(172.5m, charge.Amount);
    }

    [Fact]
    public void Charge_VolumeAndPackage_ReportTheirTierAndPackages()
    {
        Assert.Equal([new TierCharge(1, 100m, 200m, 150m, 0.8m, 5m, 125m)], UsagePricing.Charge(Volume(), 150m).Tiers);
        Assert.Equal(0.8m, UsagePricing.Charge(Volume(), 150m).UnitAmount);
        Assert.Equal(3m, UsagePricing.Charge(new PackagePrice(2.5m, 1000m), 2000.01m).Packages);
    }

    [Theory]
    [InlineData("graduated", "101", "USD", "110.50")]
    [InlineData("volume", "101", "USD", "85.80")]
    [InlineData("unit", "1003", "USD", "1.50")]
    [InlineData("unit", "1003", "KWD", "1.505")]
    [InlineData("unit", "1001", "KWD", "1.502")]
    [InlineData("unit", "333", "JPY", "0")]
    [InlineData("unit", "334", "JPY", "1")]
    [InlineData("package", "1001", "JPY", "5")]
    public void Line_InCurrency_RoundsTheAmountOnceToItsMinorUnits(string model, string quantity, string currency, string expected)
    {
        var line = Line(Price(model), decimal.Parse(quantity, CultureInfo.InvariantCulture), Currency.Parse(currency));

        Assert.Equal(expected, line.Total.Amount.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(line.Amount, line.Total);
    }

    private static UsagePrice Price(string model) => model switch
    {
        "graduated" => Graduated(),
        "volume" => Volume(),
        "package" => new PackagePrice(2.5m, 1000m),
        _ => new UnitPrice(0.0015m),
    };
}
