using Tally.Billing;
using Tally.Billing.Calendar;

namespace Tally.Tests.Billing;

/// <summary>
/// The billing cycle rule with exact instants: calendar months and anniversaries in UTC and in zones with
/// DST gaps and overlaps (New York, Berlin, Lord Howe's 30-minute shift), odd offsets (Kathmandu) and a
/// skipped day (Apia, 30 December 2011); anchors on the 29th, 30th and 31st through leap years.
/// </summary>
public sealed class BillingCycleTests
{
    private static readonly TimeZoneInfo Utc = Zone("UTC");
    private static readonly TimeZoneInfo NewYork = Zone("America/New_York");
    private static readonly TimeZoneInfo Berlin = Zone("Europe/Berlin");
    private static readonly TimeZoneInfo LordHowe = Zone("Australia/Lord_Howe");
    private static readonly TimeZoneInfo Kathmandu = Zone("Asia/Kathmandu");
    private static readonly TimeZoneInfo Apia = Zone("Pacific/Apia");

    public static TheoryData<string, string, string, string, string> Periods => new()
    {
        // zone, anchor (null: calendar month), label, expected from, expected to
        { "UTC", "", "2026-11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z" },
        { "UTC", "", "2028-02", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z" },

        // The 31st: clamped to the month's last day, back to the 31st when the month has one.
        { "UTC", "2026-01-31T00:00:00Z", "2026-02", "2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z" },
        { "UTC", "2026-01-31T00:00:00Z", "2026-03", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z" },
        { "UTC", "2026-01-31T00:00:00Z", "2026-04", "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z" },
        { "UTC", "2026-01-31T00:00:00Z", "2026-05", "2026-04-30T00:00:00Z", "2026-05-31T00:00:00Z" },
        { "UTC", "2026-01-31T00:00:00Z", "2026-11", "2026-10-31T00:00:00Z", "2026-11-30T00:00:00Z" },
        { "UTC", "2026-01-31T00:00:00Z", "2027-01", "2026-12-31T00:00:00Z", "2027-01-31T00:00:00Z" },
        { "UTC", "2026-01-31T00:00:00Z", "2028-02", "2028-01-31T00:00:00Z", "2028-02-29T00:00:00Z" },
        { "UTC", "2026-01-31T00:00:00Z", "2028-03", "2028-02-29T00:00:00Z", "2028-03-31T00:00:00Z" },

        // The 29th and 30th in leap and common years; the anchor's time of day, seconds dropped.
        { "UTC", "2025-12-29T08:15:00Z", "2027-02", "2027-01-29T08:15:00Z", "2027-02-28T08:15:00Z" },
        { "UTC", "2025-12-29T08:15:00Z", "2027-03", "2027-02-28T08:15:00Z", "2027-03-29T08:15:00Z" },
        { "UTC", "2025-12-29T08:15:00Z", "2028-02", "2028-01-29T08:15:00Z", "2028-02-29T08:15:00Z" },
        { "UTC", "2025-12-29T08:15:00Z", "2028-03", "2028-02-29T08:15:00Z", "2028-03-29T08:15:00Z" },
        { "UTC", "2026-04-30T23:59:59.999Z", "2026-03", "2026-02-28T23:59:00Z", "2026-03-30T23:59:00Z" },
        { "UTC", "2026-04-30T23:59:59.999Z", "2000-02", "2000-01-30T23:59:00Z", "2000-02-29T23:59:00Z" },
        { "UTC", "2026-04-30T23:59:59.999Z", "2100-02", "2100-01-30T23:59:00Z", "2100-02-28T23:59:00Z" },

        // New York: the calendar month starts at local midnight, EDT (-4) or EST (-5).
        { "America/New_York", "", "2026-11", "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z" },
        { "America/New_York", "", "2026-03", "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z" },

        // 02:30 on 8 March 2026 does not exist (02:00 EST -> 03:00 EDT): 03:30 EDT, 07:30Z.
        { "America/New_York", "2026-01-08T02:30:00-05:00", "2026-03", "2026-02-08T07:30:00Z", "2026-03-08T07:30:00Z" },
        { "America/New_York", "2026-01-08T02:30:00-05:00", "2026-04", "2026-03-08T07:30:00Z", "2026-04-08T06:30:00Z" },

        // 01:30 on 1 November 2026 happens twice (01:59 EDT -> 01:00 EST): the first, EDT, 05:30Z.
        { "America/New_York", "2026-01-01T01:30:00-05:00", "2026-11", "2026-10-01T05:30:00Z", "2026-11-01T05:30:00Z" },
        { "America/New_York", "2026-01-01T01:30:00-05:00", "2026-12", "2026-11-01T05:30:00Z", "2026-12-01T06:30:00Z" },

        // Berlin: 02:15 on 29 March 2026 is skipped (-> 03:15 CEST, 01:15Z); 02:15 on 25 October twice (CEST first, 00:15Z).
        { "Europe/Berlin", "", "2026-11", "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z" },
        { "Europe/Berlin", "2026-01-29T02:15:00+01:00", "2026-03", "2026-02-28T01:15:00Z", "2026-03-29T01:15:00Z" },
        { "Europe/Berlin", "2026-01-25T02:15:00+01:00", "2026-10", "2026-09-25T00:15:00Z", "2026-10-25T00:15:00Z" },
        { "Europe/Berlin", "2026-01-25T02:15:00+01:00", "2026-11", "2026-10-25T00:15:00Z", "2026-11-25T01:15:00Z" },

        // Lord Howe shifts by 30 minutes: 02:00 -> 02:30 on 4 October 2026 (+10:30 -> +11), 02:00 -> 01:30 on 5 April 2026.
        { "Australia/Lord_Howe", "", "2026-11", "2026-10-31T13:00:00Z", "2026-11-30T13:00:00Z" },
        { "Australia/Lord_Howe", "2026-01-04T02:15:00+11:00", "2026-10", "2026-09-03T15:45:00Z", "2026-10-03T15:45:00Z" },
        { "Australia/Lord_Howe", "2026-01-05T01:45:00+11:00", "2026-04", "2026-03-04T14:45:00Z", "2026-04-04T14:45:00Z" },
        { "Australia/Lord_Howe", "2026-01-05T01:45:00+11:00", "2026-05", "2026-04-04T14:45:00Z", "2026-05-04T15:15:00Z" },

        // Kathmandu is +05:45 all year.
        { "Asia/Kathmandu", "", "2026-11", "2026-10-31T18:15:00Z", "2026-11-30T18:15:00Z" },
        { "Asia/Kathmandu", "2026-01-20T09:00:00+05:45", "2026-11", "2026-10-20T03:15:00Z", "2026-11-20T03:15:00Z" },

        // Apia skipped 30 December 2011 (-10 -> +14): 10:00 that day is 10:00 on the 31st, 20:00Z.
        { "Pacific/Apia", "2011-10-30T10:00:00-10:00", "2011-12", "2011-11-30T20:00:00Z", "2011-12-30T20:00:00Z" },
        { "Pacific/Apia", "2011-10-30T10:00:00-10:00", "2012-01", "2011-12-30T20:00:00Z", "2012-01-29T20:00:00Z" },
        { "Pacific/Apia", "", "2012-01", "2011-12-31T10:00:00Z", "2012-01-31T10:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public void PeriodOf_Label_IsThePeriodEndingInThatLocalMonthOrTheCalendarMonthItself(string zone, string anchor, string label, string from, string to)
    {
        var cycle = BillingCycle.Of(anchor.Length == 0 ? null : Instant(anchor), Zone(zone));

        var period = cycle.PeriodOf(Label(label));

        Assert.Equal((Instant(from), Instant(to)), period);
    }

    [Fact]
    public void PeriodOf_CalendarMonthInUtc_IsExactlyTheBillingPeriodForEveryLabel()
    {
        var cycle = BillingCycle.CalendarMonth(Utc);

        for (var label = new BillingPeriod(Limits.FirstPeriodYear, 1); label.Year <= Limits.LastPeriodYear; label = label.AddMonths(1))
        {
            Assert.Equal((label.From, label.To), cycle.PeriodOf(label));
            Assert.Equal(label, cycle.LabelOf(label.From));
            Assert.Equal(label, cycle.LabelOf(label.To.AddTicks(-1)));
        }
    }

    [Fact]
    public void PeriodOf_EveryCycleAndLabel_TilesTimeOnWholeMinutesWithOneLabelPerPeriod()
    {
        var zones = new[] { Utc, NewYork, Berlin, LordHowe, Kathmandu, Apia, Zone("Pacific/Kiritimati"), Zone("Etc/GMT+12"), Zone("America/St_Johns") };
        var anchors = new[] { (1, 0, 0), (1, 0, 1), (15, 12, 0), (28, 23, 59), (29, 2, 30), (30, 1, 30), (31, 0, 0), (31, 23, 45) };
        foreach (var zone in zones)
        {
            foreach (var (day, hour, minute) in anchors)
            {
                var cycle = BillingCycle.Of(LocalTime.Resolve(new DateTime(2024, 1, day, hour, minute, 0), zone), zone);
                for (var label = new BillingPeriod(Limits.FirstPeriodYear, 1); label.Year <= Limits.LastPeriodYear; label = label.AddMonths(1))
                {
                    var (from, to) = cycle.PeriodOf(label);
                    Assert.Equal(from, cycle.PeriodOf(label.AddMonths(-1)).To);
                    Assert.InRange(to - from, TimeSpan.FromDays(27), TimeSpan.FromDays(32));
                    Assert.Equal(0, from.Ticks % TimeSpan.TicksPerMinute);
                    Assert.Equal((label, label, label), (cycle.LabelOf(from), cycle.LabelOf(to.AddMinutes(-1)), cycle.LabelOf(from + ((to - from) / 2))));
                }
            }
        }
    }

    [Fact]
    public void PeriodOf_EverySystemZone_PutsCalendarBoundariesOnWholeMinutes()
    {
        // The rule throws otherwise; usage windows are per minute in UTC.
        var zones = TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).ToList();
        foreach (var zone in zones)
        {
            var cycle = BillingCycle.CalendarMonth(zone);
            for (var label = new BillingPeriod(Limits.FirstPeriodYear, 1); label.Year <= Limits.LastPeriodYear; label = label.AddMonths(1))
            {
                Assert.Equal(0, cycle.BoundaryIn(label).Ticks % TimeSpan.TicksPerMinute);
            }
        }

        Assert.True(zones.Count > 300, $"only {zones.Count} zones: is the tzdata package installed?");
    }

    [Theory]
    [InlineData("UTC", "", "2026-11-30T23:59:00Z", "2026-11")]
    [InlineData("UTC", "", "2026-12-01T00:00:00Z", "2026-12")]
    [InlineData("UTC", "2026-01-31T00:00:00Z", "2026-02-27T23:59:00Z", "2026-02")]
    [InlineData("UTC", "2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03")]
    [InlineData("America/New_York", "", "2026-12-01T04:59:00Z", "2026-11")]
    [InlineData("America/New_York", "", "2026-12-01T05:00:00Z", "2026-12")]
    [InlineData("Pacific/Apia", "2011-10-30T10:00:00-10:00", "2011-12-30T19:59:00Z", "2011-12")]
    [InlineData("Pacific/Apia", "2011-10-30T10:00:00-10:00", "2011-12-30T20:00:00Z", "2012-01")]
    public void LabelOf_Instant_IsTheLabelOfThePeriodContainingIt(string zone, string anchor, string instant, string label)
    {
        var cycle = BillingCycle.Of(anchor.Length == 0 ? null : Instant(anchor), Zone(zone));

        Assert.Equal(Label(label), cycle.LabelOf(Instant(instant)));
        Assert.Equal(cycle.PeriodOf(Label(label)), cycle.Containing(Instant(instant)));
    }

    [Fact]
    public void Anniversary_AnchorOnTheFirstAtLocalMidnight_IsTheCalendarMonth()
    {
        var cycle = BillingCycle.Anniversary(Instant("2026-03-01T05:00:00Z"), NewYork);

        Assert.True(cycle.IsCalendarMonth);
        Assert.Equal(BillingCycle.CalendarMonth(NewYork), cycle);
        Assert.Equal((Instant("2026-11-01T04:00:00Z"), Instant("2026-12-01T05:00:00Z")), cycle.PeriodOf(new BillingPeriod(2026, 11)));
    }

    [Theory]
    [InlineData("UTC", true)]
    [InlineData("Etc/UTC", true)]
    [InlineData("Europe/Berlin", true)]
    [InlineData("Australia/Lord_Howe", true)]
    [InlineData("Eastern Standard Time", false)]
    [InlineData("Mars/Olympus_Mons", false)]
    [InlineData("", false)]
    [InlineData("Europe/Berlin\n", false)]
    public void TryFind_Id_AcceptsIanaIdsOnly(string id, bool known)
    {
        Assert.Equal(known, TimeZones.TryFind(id, out var zone));
        Assert.Equal(known ? id : "UTC", zone.Id);
    }

    private static TimeZoneInfo Zone(string id) => TimeZones.Find(id);

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static BillingPeriod Label(string text) =>
        new(int.Parse(text[..4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(text[5..], System.Globalization.CultureInfo.InvariantCulture));
}
