using Tally.Billing;

namespace Tally.Stripe.Push;

/// <summary>
/// The one place where Tally's decimal amounts become Stripe's integers: ISO 4217 minor units (cents;
/// whole yen for zero-decimal JPY and KRW; fils for three-decimal currencies), rounded half away from
/// zero. Stripe requires amounts in the three-decimal BHD, JOD, KWD, OMR and TND to be divisible by 10
/// (card networks settle them to two decimals), so there the step is 10 minor units.
/// A document's lines are rounded by their running total: each line gets the difference between the
/// rounded running totals, so Stripe's invoice total is Tally's total rounded once (never a sum of
/// per-line roundings) and every line stays within one step of its amount.
/// </summary>
internal static class StripeAmounts
{
    private static readonly HashSet<string> TenMinorUnitSteps = new(StringComparer.Ordinal) { "BHD", "JOD", "KWD", "OMR", "TND" };

    /// <summary>The smallest amount Stripe accepts in <paramref name="currency"/>, in minor units.</summary>
    public static long Step(Currency currency) => TenMinorUnitSteps.Contains(currency.Code) ? 10 : 1;

    /// <summary>Each of <paramref name="amounts"/> (major units) in Stripe's minor units, rounded by running total.</summary>
    public static long[] ToMinorUnits(Currency currency, IReadOnlyList<decimal> amounts)
    {
        var factor = 1m;
        for (var i = 0; i < currency.MinorUnits; i++)
        {
            factor *= 10m;
        }

        var step = Step(currency);
        var result = new long[amounts.Count];
        var runningTotal = 0m;
        var sent = 0L;
        for (var i = 0; i < amounts.Count; i++)
        {
            runningTotal += amounts[i];
            var roundedTotal = decimal.ToInt64(Math.Round(runningTotal * factor / step, MidpointRounding.AwayFromZero)) * step;
            result[i] = roundedTotal - sent;
            sent = roundedTotal;
        }

        return result;
    }
}
