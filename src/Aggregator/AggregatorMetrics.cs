using System.Diagnostics.Metrics;

namespace Tally.Aggregator;

/// <summary>
/// The aggregator's metrics (meter <c>Tally.Aggregator</c>): what it has committed, so operators see
/// progress and tests observe it through the same public surface instead of a hook in the loop.
/// </summary>
public sealed class AggregatorMetrics
{
    /// <summary>The meter's name, for exporters and listeners.</summary>
    public const string MeterName = "Tally.Aggregator";

    private readonly Counter<long> _records;
    private readonly Counter<long> _batches;

    public AggregatorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _records = meter.CreateCounter<long>("tally.aggregator.records", "{record}", "Log records folded into usage and committed.");
        _batches = meter.CreateCounter<long>("tally.aggregator.batches", "{batch}", "Log batches written to usage and committed.");
    }

    /// <summary>Counts a committed batch of <paramref name="records"/> records of <paramref name="partition"/>.</summary>
    public void Committed(int partition, long records)
    {
        var tag = new KeyValuePair<string, object?>("partition", partition);
        _records.Add(records, tag);
        _batches.Add(1, tag);
    }
}
