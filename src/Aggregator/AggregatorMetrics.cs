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
    private readonly Counter<long> _stored;
    private readonly Counter<long> _resent;
    private readonly Counter<long> _rejected;

    public AggregatorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _records = meter.CreateCounter<long>("tally.aggregator.records", "{record}", "Log records processed and committed.");
        _batches = meter.CreateCounter<long>("tally.aggregator.batches", "{batch}", "Log batches stored and committed.");
        _stored = meter.CreateCounter<long>("tally.aggregator.events.stored", "{event}", "Events stored, the first of their identity.");
        _resent = meter.CreateCounter<long>("tally.aggregator.events.resent", "{event}", "Events dropped as re-sends of a stored identity with the same payload.");
        _rejected = meter.CreateCounter<long>("tally.aggregator.events.rejected", "{event}", "Records rejected: unreadable, unstorable, or a conflicting duplicate.");
    }

    /// <summary>Counts what one batch stored, dropped as re-sent and rejected.</summary>
    public void Stored(int partition, long stored, long resent, long rejected)
    {
        var tag = new KeyValuePair<string, object?>("partition", partition);
        _stored.Add(stored, tag);
        _resent.Add(resent, tag);
        _rejected.Add(rejected, tag);
    }

    /// <summary>Counts a committed batch of <paramref name="records"/> records of <paramref name="partition"/>.</summary>
    public void Committed(int partition, long records)
    {
        var tag = new KeyValuePair<string, object?>("partition", partition);
        _records.Add(records, tag);
        _batches.Add(1, tag);
    }
}
