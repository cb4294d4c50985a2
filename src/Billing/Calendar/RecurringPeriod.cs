namespace Tally.Billing.Calendar;

/// <summary>
/// A period that repeats every <see cref="Interval"/> from <see cref="Anchor"/> (OpenMeter's
/// <c>RecurringPeriod</c>): the k-th boundary is the anchor plus k intervals, for any whole k (so
/// periods before the anchor exist too, and months never drift: 31 Jan, 28 Feb, 31 Mar).
/// </summary>
public sealed record RecurringPeriod(IsoDuration Interval, DateTimeOffset Anchor)
{
    /// <summary>The period [from, to) that contains <paramref name="instant"/>.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Containing(DateTimeOffset instant)
    {
        var k = IndexContaining(instant);
        return (Interval.AddTo(Anchor, k), Interval.AddTo(Anchor, k + 1));
    }

    /// <summary>Every boundary b with <paramref name="from"/> &lt; b &lt; <paramref name="to"/>, in order.</summary>
    public IEnumerable<DateTimeOffset> BoundariesBetween(DateTimeOffset from, DateTimeOffset to)
    {
        for (var k = IndexContaining(from) + 1; Interval.AddTo(Anchor, k) is var boundary && boundary < to; k++)
        {
            if (boundary > from)
            {
                yield return boundary;
            }
        }
    }

    private int IndexContaining(DateTimeOffset instant)
    {
        var estimate = (instant - Anchor).Ticks / Math.Max(Interval.Approximate.Ticks, 1);
        var k = (int)Math.Clamp(estimate, -10_000_000, 10_000_000);
        while (Interval.AddTo(Anchor, k) > instant)
        {
            k--;
        }

        while (Interval.AddTo(Anchor, k + 1) <= instant)
        {
            k++;
        }

        return k;
    }
}
