namespace Tally.Billing.Calendar;

/// <summary>Local wall-clock times and the instants they stand for in a time zone.</summary>
public static class LocalTime
{
    /// <summary>
    /// The instant of <paramref name="local"/> in <paramref name="zone"/>, deterministically: a time the
    /// clocks skip moves forward by the gap (the offset in force before it is kept); a time they repeat
    /// is its earlier occurrence (the larger offset).
    /// </summary>
    public static DateTimeOffset Resolve(DateTime local, TimeZoneInfo zone)
    {
        // From instants, not from TimeZoneInfo.IsInvalidTime/IsAmbiguousTime, which miss changes of the
        // base offset (Apia's lost day). A day either side of the wall-clock time brackets any instant it
        // can stand for (offsets stay within ±14 hours), so the offsets there are the ones before and after.
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified).Ticks;
        if (ReferenceEquals(zone, TimeZoneInfo.Utc))
        {
            return new DateTimeOffset(wall, TimeSpan.Zero);
        }

        var before = zone.GetUtcOffset(new DateTimeOffset(wall, TimeSpan.Zero).AddDays(-1));
        var after = zone.GetUtcOffset(new DateTimeOffset(wall, TimeSpan.Zero).AddDays(1));
        var early = new DateTimeOffset(wall - before.Ticks, TimeSpan.Zero);
        var late = new DateTimeOffset(wall - after.Ticks, TimeSpan.Zero);
        var earlyShows = IsAt(early, wall, zone);
        var lateShows = IsAt(late, wall, zone);
        return (earlyShows, lateShows) switch
        {
            (true, true) => early < late ? early : late,
            (true, false) => early,
            (false, true) => late,

            // Skipped: keep the offset in force before the gap, which moves the time forward by the gap's length.
            _ => early,
        };
    }

    private static bool IsAt(DateTimeOffset instant, long wall, TimeZoneInfo zone) =>
        instant.Ticks + zone.GetUtcOffset(instant).Ticks == wall;
}
