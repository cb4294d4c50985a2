namespace Tally.Rating;

/// <summary>
/// The clock of the rating stage: a keyed <see cref="TimeProvider"/> (the host's by default), so tests
/// can run periods, plan changes, grant expiries and webhook retries on a fake clock while ingestion
/// and the usage store keep real time.
/// </summary>
public static class RatingClock
{
    public const string Key = "tally.rating.clock";
}
