using Tally.Billing;
using Tally.Stripe.Push;

namespace Tally.Tests.Payments;

/// <summary>The one conversion of Tally's amounts into Stripe's integers.</summary>
public sealed class StripeAmountsTests
{
    [Theory]
    [InlineData("USD", new[] { "0.80", "1234.50" }, new long[] { 80, 123_450 })]
    [InlineData("USD", new[] { "0.005", "0.005", "0.005" }, new long[] { 1, 0, 1 })]
    [InlineData("USD", new[] { "-2.50", "10" }, new long[] { -250, 1_000 })]
    [InlineData("JPY", new[] { "1500", "0.5", "0.5" }, new long[] { 1_500, 1, 0 })]
    [InlineData("KWD", new[] { "1.234", "2.345", "0.006" }, new long[] { 1_230, 2_350, 10 })]
    [InlineData("BHD", new[] { "0.005" }, new long[] { 10 })]
    [InlineData("JOD", new[] { "0.004", "0.004" }, new long[] { 0, 10 })]
    [InlineData("OMR", new[] { "-0.015" }, new long[] { -20 })]
    [InlineData("TND", new[] { "12.000" }, new long[] { 12_000 })]
    public void ToMinorUnits_Lines_RoundTheRunningTotalToStripesStep(string code, string[] amounts, long[] expected)
    {
        var minor = StripeAmounts.ToMinorUnits(Currency.Parse(code), [.. amounts.Select(a => decimal.Parse(a, System.Globalization.CultureInfo.InvariantCulture))]);

        Assert.Equal(expected, minor);
    }

    [Theory]
    [InlineData("USD", 1)]
    [InlineData("JPY", 1)]
    [InlineData("KWD", 10)]
    [InlineData("BHD", 10)]
    [InlineData("JOD", 10)]
    [InlineData("OMR", 10)]
    [InlineData("TND", 10)]
    public void Step_Currency_IsTenOnlyForThreeDecimalCurrencies(string code, long step) =>
        Assert.Equal(step, StripeAmounts.Step(Currency.Parse(code)));
}
