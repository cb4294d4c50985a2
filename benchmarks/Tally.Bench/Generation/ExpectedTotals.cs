namespace Tally.Bench.Generation;

/// <summary>
/// What every bench meter of every tenant must show once the run's events are stored: each identity
/// counted once (a re-send adds nothing), late events included, over all time. AVG is the mean cut to
/// nine decimals, as ClickHouse's Decimal division does; LATEST is the value of the greatest
/// (time, source, id), Tally's tie rule.
/// </summary>
public sealed class ExpectedTotals
{
    private readonly MeterState[,] _states;

    public ExpectedTotals(int tenants)
    {
        _states = new MeterState[tenants, BenchMeters.All.Count];
        for (var t = 0; t < tenants; t++)
        {
            for (var m = 0; m < BenchMeters.All.Count; m++)
            {
                _states[t, m] = new MeterState();
            }
        }
    }

    /// <summary>Events counted (re-sends not included).</summary>
    public long Events { get; private set; }

    /// <summary>Events sent, re-sends included: what the event log receives.</summary>
    public long Sent { get; private set; }

    /// <summary>The totals of the first <paramref name="batches"/> batches of a run (generated again from its arguments).</summary>
    public static ExpectedTotals Of(LoadProfile profile, ulong seed, DateTimeOffset runStart, long batches)
    {
        var generator = new EventGenerator(profile, seed, runStart);
        var totals = new ExpectedTotals(profile.Tenants);
        for (long b = 0; b < batches; b++)
        {
            totals.Add(generator.Next());
        }

        return totals;
    }

    public void Add(GeneratedBatch batch)
    {
        foreach (var e in batch.Events)
        {
            Sent++;
            if (e.Duplicate)
            {
                continue;
            }

            Events++;
            for (var m = 0; m < BenchMeters.All.Count; m++)
            {
                var meter = BenchMeters.All[m];
                if (meter.EventType == e.Type)
                {
                    _states[e.Tenant, m].Add(meter, e);
                }
            }
        }
    }

    /// <summary>The meter's expected value for the tenant; null when it measured no event (the query has no row).</summary>
    public decimal? Value(int tenant, BenchMeter meter)
    {
        var state = _states[tenant, IndexOf(meter)];
        return state.Count == 0 ? null : meter.Aggregation switch
        {
            "SUM" => state.Sum,
            "COUNT" => state.Count,
            "AVG" => Math.Round(state.Sum / state.Count, 9, MidpointRounding.ToZero),
            "MIN" => state.Min,
            "MAX" => state.Max,
            "UNIQUE_COUNT" => state.Distinct.Count,
            "LATEST" => state.LatestValue,
            _ => throw new NotSupportedException(meter.Aggregation),
        };
    }

    private static int IndexOf(BenchMeter meter)
    {
        for (var m = 0; m < BenchMeters.All.Count; m++)
        {
            if (ReferenceEquals(BenchMeters.All[m], meter))
            {
                return m;
            }
        }

        throw new ArgumentException($"{meter.Slug} is not a bench meter.", nameof(meter));
    }

    private sealed class MeterState
    {
        public long Count;
        public decimal Sum;
        public decimal Min = decimal.MaxValue;
        public decimal Max = decimal.MinValue;
        public decimal LatestValue;
        public readonly HashSet<string> Distinct = new(StringComparer.Ordinal);
        private GeneratedEvent? _latest;

        public void Add(BenchMeter meter, GeneratedEvent e)
        {
            Count++;
            if (meter.Raw is { } raw)
            {
                Distinct.Add(raw(e));
            }

            if (meter.Number is not { } read)
            {
                return;
            }

            var value = read(e);
            Sum += value;
            Min = Math.Min(Min, value);
            Max = Math.Max(Max, value);
            if (_latest is null || IsLater(e, _latest))
            {
                _latest = e;
                LatestValue = value;
            }
        }

        private static bool IsLater(GeneratedEvent candidate, GeneratedEvent current)
        {
            var byTime = candidate.Time.CompareTo(current.Time);
            return byTime != 0 ? byTime > 0 : string.CompareOrdinal(candidate.Id, current.Id) > 0;
        }
    }
}
