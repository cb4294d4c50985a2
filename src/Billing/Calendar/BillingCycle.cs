namespace Tally.Billing.Calendar;

/// <summary>
/// A subscription's monthly billing cycle in its customer's time zone: a period boundary every month on
/// <see cref="DayOfMonth"/> (clamped to the month's last day, so an anchor on the 31st gives 28 or 29
/// February and 31 March) at <see cref="TimeOfDay"/>, local time. The calendar month is the cycle of the
/// 1st at 00:00. Periods are [from, to) in instants, always on whole minutes (usage is stored per minute).
/// <para>
/// Local times a clock change skips or repeats are resolved as java.time and NodaTime's lenient resolver
/// do: a skipped time (a DST start, Apia's lost 30 December 2011) moves forward by the length of the gap
/// (02:30 on a day New York springs from 02:00 to 03:00 is 03:30 EDT); a repeated time (a DST end) is
/// its earlier occurrence (01:30 on a day New York falls back is 01:30 EDT).
/// </para>
/// <para>
/// <b>Labels.</b> A close label (<see cref="BillingPeriod"/>, <c>2026-11</c>) names the period that
/// <em>ends</em> in that local month: the boundary in month M closes the period labelled M, except
/// for the calendar month, whose period labelled M runs from the 1st of M to the 1st of M+1 (a period
/// ending at local midnight belongs to the day before). So every period of a cycle has its own label,
/// the calendar month in UTC is labelled exactly as Tally always did, and a period is closed by the run
/// of the month it ends in.
/// </para>
/// </summary>
public sealed record BillingCycle
{
    private BillingCycle(int dayOfMonth, TimeSpan timeOfDay, TimeZoneInfo zone)
    {
        DayOfMonth = dayOfMonth;
        TimeOfDay = timeOfDay;
        Zone = zone;
    }

    /// <summary>The day of the month the periods turn on (1–31), before clamping to the month's length.</summary>
    public int DayOfMonth { get; }

    /// <summary>The local time of day the periods turn at, in whole minutes.</summary>
    public TimeSpan TimeOfDay { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>Whether this is the calendar month (the 1st at 00:00 local).</summary>
    public bool IsCalendarMonth => DayOfMonth == 1 && TimeOfDay == TimeSpan.Zero;

    /// <summary>The calendar month in <paramref name="zone"/>: the 1st at 00:00 local time.</summary>
    public static BillingCycle CalendarMonth(TimeZoneInfo zone) => new(1, TimeSpan.Zero, zone);

    /// <summary>The anniversary cycle of <paramref name="anchor"/>: its local day of month and time of day (seconds dropped).</summary>
    public static BillingCycle Anniversary(DateTimeOffset anchor, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(anchor, zone);
        return new(local.Day, new TimeSpan(local.Hour, local.Minute, 0), zone);
    }

    /// <summary>A subscription's cycle: the anniversary of its billing anchor, or the calendar month when it has none.</summary>
    public static BillingCycle Of(DateTimeOffset? anchor, TimeZoneInfo zone) => anchor is { } a ? Anniversary(a, zone) : CalendarMonth(zone);

    /// <summary>The boundary that falls in local month <paramref name="month"/>: its anchor day (clamped) at the anchor's time.</summary>
    public DateTimeOffset BoundaryIn(BillingPeriod month)
    {
        var day = Math.Min(DayOfMonth, DateTime.DaysInMonth(month.Year, month.Month));
        var boundary = LocalTime.Resolve(new DateTime(month.Year, month.Month, day, 0, 0, 0, DateTimeKind.Unspecified) + TimeOfDay, Zone);
        if (boundary.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            // Every offset IANA has used since 1970 is a whole minute; usage windows could not cut elsewhere.
            throw new InvalidOperationException($"{Zone.Id} puts the period boundary of {month} at {boundary:O}, not on a whole minute; usage is stored per minute.");
        }

        return boundary;
    }

    /// <summary>The period labelled <paramref name="label"/>: the one that ends in that local month (the calendar month: that month itself).</summary>
    public (DateTimeOffset From, DateTimeOffset To) PeriodOf(BillingPeriod label) =>
        IsCalendarMonth
            ? (BoundaryIn(label), BoundaryIn(label.AddMonths(1)))
            : (BoundaryIn(label.AddMonths(-1)), BoundaryIn(label));

    /// <summary>The label of the period that contains <paramref name="instant"/>.</summary>
    public BillingPeriod LabelOf(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Zone);
        var month = new BillingPeriod(local.Year, local.Month);
        foreach (var label in new[] { month, month.AddMonths(1), month.AddMonths(-1) })
        {
            var (from, to) = PeriodOf(label);
            if (from <= instant && instant < to)
            {
                return label;
            }
        }

        throw new InvalidOperationException($"No period of the cycle {this} contains {instant:O}.");
    }

    /// <summary>The period [from, to) that contains <paramref name="instant"/>.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Containing(DateTimeOffset instant) => PeriodOf(LabelOf(instant));

    public override string ToString() => IsCalendarMonth
        ? $"calendar month in {Zone.Id}"
        : $"day {DayOfMonth} at {TimeOfDay:hh\\:mm} in {Zone.Id}";
}
