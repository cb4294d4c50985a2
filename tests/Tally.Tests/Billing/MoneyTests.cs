using Tally.Billing;

namespace Tally.Tests.Billing;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("USD", "2.345", "2.35", 235)]
    [InlineData("USD", "-2.345", "-2.35", -235)]
    [InlineData("JPY", "99.5", "100", 100)]
    [InlineData("KWD", "1.23456", "1.235", 1235)]
    public void Rounded_HalfAwayFromZero_ToCurrencyMinorUnits(string currency, string amount, string expected, long minorUnits)
    {
        var money = new Money(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), Currency.Parse(currency));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), money.Rounded().Amount);
        Assert.Equal(minorUnits, money.ToMinorUnits());
    }

    [Fact]
    public void Add_DifferentCurrencies_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new Money(1m, Currency.Usd) + new Money(1m, Currency.Parse("EUR")));
    }

    [Fact]
    public void TryParse_UnknownCode_ReturnsFalse()
    {
        Assert.False(Currency.TryParse("usd", out _));
        Assert.False(Currency.TryParse("XYZ", out _));
    }

    [Fact]
    public void BillingPeriod_ParseAndBounds_AreUtcMonth()
    {
        Assert.True(BillingPeriod.TryParse("2026-12", out var period));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), period.From);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), period.To);
        Assert.Equal("2026-12", period.ToString());
        Assert.Equal(new BillingPeriod(2026, 11), BillingPeriod.Containing(new DateTimeOffset(2026, 12, 1, 0, 30, 0, TimeSpan.FromHours(1))));
        Assert.False(BillingPeriod.TryParse("2026-13", out _));
        Assert.False(BillingPeriod.TryParse("11/2026", out _));
    }
}
