using System.Globalization;

namespace Tally.Billing;

/// <summary>
/// A calendar month: the label of a close run (<c>2026-11</c>) and, as [<see cref="From"/>, <see cref="To"/>),
/// that month in UTC. Which period of a customer a label closes depends on its billing cycle
/// (<see cref="Calendar.BillingCycle.PeriodOf"/>); for the calendar month in UTC it is exactly [From, To).
/// </summary>
public readonly record struct BillingPeriod(int Year, int Month)
{
    public DateTimeOffset From => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset To => From.AddMonths(1);

    /// <summary>The month <paramref name="months"/> later (earlier when negative).</summary>
    public BillingPeriod AddMonths(int months)
    {
        var index = (Year * 12) + Month - 1 + months;
        return new BillingPeriod(index / 12, (index % 12) + 1);
    }

    /// <summary>The period that contains <paramref name="instant"/>.</summary>
    public static BillingPeriod Containing(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new BillingPeriod(utc.Year, utc.Month);
    }

    /// <summary>Parses <c>yyyy-MM</c>, e.g. <c>2026-11</c>, for years <see cref="Limits.FirstPeriodYear"/> to <see cref="Limits.LastPeriodYear"/>.</summary>
    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (text is null || !DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            || parsed.Year is < Limits.FirstPeriodYear or > Limits.LastPeriodYear)
        {
            return false;
        }

        period = new BillingPeriod(parsed.Year, parsed.Month);
        return true;
    }

    public override string ToString() => $"{Year:D4}-{Month:D2}";
}
