namespace Tally.Bench.Load;

/// <summary>
/// The open-loop arrival schedule: batch k of B events is due at k·B/R seconds after the start, whatever
/// happened to earlier batches, and its latency counts from that intended time, so a stalled server is
/// charged for every request it held up (no coordinated omission). Integer arithmetic on ticks, so
/// <see cref="DueBy"/> and <see cref="IntendedStart"/> agree exactly.
/// </summary>
public sealed class OpenLoopSchedule
{
    private readonly long _eventsPerSecond;
    private readonly long _batchSize;

    public OpenLoopSchedule(long eventsPerSecond, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(eventsPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _eventsPerSecond = eventsPerSecond;
        _batchSize = batchSize;
    }

    /// <summary>When batch <paramref name="batch"/> (from 0) should be sent, after the start.</summary>
    public TimeSpan IntendedStart(long batch) =>
        TimeSpan.FromTicks((long)((Int128)batch * _batchSize * TimeSpan.TicksPerSecond / _eventsPerSecond));

    /// <summary>How many batches are due once <paramref name="elapsed"/> has passed (batch 0 is due at once).</summary>
    public long DueBy(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            return 0;
        }

        // Batch k is due when floor(k·B·T/R) <= t, i.e. k·B·T < (t+1)·R: the count is ceil((t+1)·R / (B·T)).
        var numerator = ((Int128)elapsed.Ticks + 1) * _eventsPerSecond;
        var denominator = (Int128)_batchSize * TimeSpan.TicksPerSecond;
        return (long)((numerator + denominator - 1) / denominator);
    }

    /// <summary>Latency of a batch answered <paramref name="answeredAt"/> after the start, counted from its intended start.</summary>
    public TimeSpan Latency(long batch, TimeSpan answeredAt) => answeredAt - IntendedStart(batch);
}
