using System.Globalization;
using Tally.Billing.Meters;

namespace Tally.Billing.Usage;

/// <summary>
/// A meter's aggregate over one window, in a form more events can be folded into: what the usage store
/// returns for a window and what the rating grain adds each new event to. <see cref="Value"/> is the
/// meter's aggregate, computed as the usage store computes it.
/// </summary>
public sealed class UsageState(MeterAggregation aggregation)
{
    public MeterAggregation Aggregation { get; } = aggregation;

    /// <summary>Sum of the numbers (SUM, AVG).</summary>
    public decimal Sum { get; set; }

    /// <summary>Events measured (COUNT).</summary>
    public long Events { get; set; }

    /// <summary>Numbers folded (SUM, AVG, MIN, MAX, LATEST).</summary>
    public long Numbers { get; set; }

    public decimal? Min { get; set; }

    public decimal? Max { get; set; }

    /// <summary>Distinct values (UNIQUE_COUNT only).</summary>
    public HashSet<string>? Distinct { get; set; }

    /// <summary>The latest number by (time, source, id) (LATEST only).</summary>
    public LatestValue? Latest { get; set; }

    /// <summary>The meter's value over the window; 0 when nothing was measured.</summary>
    public decimal Value => Aggregation switch
    {
        MeterAggregation.Count => Events,
        MeterAggregation.Sum => Sum,
        MeterAggregation.Avg => Numbers == 0 ? 0m : Math.Round(Sum / Numbers, 9, MidpointRounding.ToZero),
        MeterAggregation.Min => Min ?? 0m,
        MeterAggregation.Max => Max ?? 0m,
        MeterAggregation.UniqueCount => Distinct?.Count ?? 0,
        MeterAggregation.Latest => Latest?.Value ?? 0m,
        _ => throw new NotSupportedException($"Aggregation {Aggregation}"),
    };

    /// <summary>Folds one measured event in: its number (null for COUNT), its raw value text (UNIQUE_COUNT), and its identity and time (LATEST).</summary>
    public void Add(decimal? number, string? raw, DateTimeOffset time, string source, string id)
    {
        Events++;
        if (Aggregation == MeterAggregation.UniqueCount)
        {
            if (raw is not null)
            {
                (Distinct ??= new HashSet<string>(StringComparer.Ordinal)).Add(raw);
            }

            return;
        }

        if (number is not { } value)
        {
            return;
        }

        Numbers++;
        Sum += value;
        Min = Min is { } min && min <= value ? min : value;
        Max = Max is { } max && max >= value ? max : value;
        if (Aggregation == MeterAggregation.Latest && (Latest is null || Latest.IsBefore(time, source, id)))
        {
            Latest = new LatestValue(time, source, id, value);
        }
    }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The number of the latest event; ties of time go to the greatest (source, id), as the usage store breaks them.</summary>
public sealed record LatestValue(DateTimeOffset Time, string Source, string Id, decimal Value)
{
    public bool IsBefore(DateTimeOffset time, string source, string id) =>
        Time != time ? Time < time
        : string.CompareOrdinal(Source, source) != 0 ? string.CompareOrdinal(Source, source) < 0
        : string.CompareOrdinal(Id, id) < 0;
}
