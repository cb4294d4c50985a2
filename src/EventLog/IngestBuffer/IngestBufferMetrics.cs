using System.Diagnostics.Metrics;

namespace Tally.EventLog.IngestBuffer;

/// <summary>
/// The ingest buffer's metrics (meter <c>Tally.EventLog</c>), exported with every <c>Tally.*</c> meter (Prometheus at
/// <c>/metrics</c>): records waiting for Kafka, the buffer's bytes, the oldest waiting record's age, whether Kafka
/// answers, records forwarded (a counter: its rate is forwarded/s) and requests refused because the buffer was full.
/// </summary>
internal sealed class IngestBufferMetrics : IDisposable
{
    /// <summary>The meter's name, for exporters and listeners.</summary>
    public const string MeterName = "Tally.EventLog";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _forwarded;
    private readonly Counter<long> _refused;

    public IngestBufferMetrics(IMeterFactory? meterFactory, Func<long> pending, Func<long> bytes, Func<double> oldestPendingSeconds, Func<int> kafkaReachable)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge("tally.ingest_buffer.pending", pending, "{record}", "Events acknowledged to clients and not yet acknowledged by Kafka.");
        _meter.CreateObservableGauge("tally.ingest_buffer.size", bytes, "By", "Bytes of the buffer's segment files, forwarded segments not yet deleted included.");
        _meter.CreateObservableGauge("tally.ingest_buffer.oldest_pending_age", oldestPendingSeconds, "s", "How long the oldest event not yet in Kafka has waited (0 when none waits).");
        _meter.CreateObservableGauge("tally.ingest_buffer.kafka_reachable", kafkaReachable, null, "1 while Kafka answers the forwarder, 0 while it does not.");
        _forwarded = _meter.CreateCounter<long>("tally.ingest_buffer.forwarded", "{record}", "Records Kafka acknowledged to the forwarder (re-sends included).");
        _refused = _meter.CreateCounter<long>("tally.ingest_buffer.refused", "{request}", "Appends refused because the buffer was full.");
    }

    public void Forwarded(long records) => _forwarded.Add(records);

    public void Refused() => _refused.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
