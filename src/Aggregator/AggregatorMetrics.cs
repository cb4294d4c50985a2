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
    private readonly Histogram<double> _phase;

    public AggregatorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _records = meter.CreateCounter<long>("tally.aggregator.records", "{record}", "Log records processed and committed.");
        _batches = meter.CreateCounter<long>("tally.aggregator.batches", "{batch}", "Log batches stored and committed.");
        _stored = meter.CreateCounter<long>("tally.aggregator.events.stored", "{event}", "Events stored, the first of their identity.");
        _resent = meter.CreateCounter<long>("tally.aggregator.events.resent", "{event}", "Events dropped as re-sends of a stored identity with the same payload.");
        _rejected = meter.CreateCounter<long>("tally.aggregator.events.rejected", "{event}", "Records rejected: unreadable, unstorable, or a conflicting duplicate.");
        _phase = meter.CreateHistogram<double>("tally.aggregator.cycle.phase.duration", "s", "Time a step of the aggregator's cycle took, per phase (read, decode, lookup, insert_events, insert_hours, insert_rejected, publish, identity_add, commit).");
    }

    /// <summary>Counts what one batch stored, dropped as re-sent and rejected.</summary>
    public void Stored(int partition, long stored, long resent, long rejected)
    {
        var tag = new KeyValuePair<string, object?>("partition", partition);
        _stored.Add(stored, tag);
        _resent.Add(resent, tag);
        _rejected.Add(rejected, tag);
    }

    /// <summary>Records how long one phase of a cycle took (<see cref="CyclePhase"/> names them).</summary>
    public void Phase(string phase, TimeSpan elapsed) =>
        _phase.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("phase", phase));

    /// <summary>Counts a committed batch of <paramref name="records"/> records of <paramref name="partition"/>.</summary>
    public void Committed(int partition, long records)
    {
        var tag = new KeyValuePair<string, object?>("partition", partition);
        _records.Add(records, tag);
        _batches.Add(1, tag);
    }
}
