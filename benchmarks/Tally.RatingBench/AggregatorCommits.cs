using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tally.RatingBench;

/// <summary>
/// Observes the aggregator's own metric of committed log records (<c>tally.aggregator.records</c>, added
/// right after each batch's commit) and notes the instant the count reaches the number of events sent:
/// the aggregator committing the last event, where the bill latency starts.
/// </summary>
public sealed class AggregatorCommits : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TaskCompletionSource<long> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _target;
    private long _committed;

    public AggregatorCommits(long target)
    {
        _target = target;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Tally.Aggregator" && instrument.Name == "tally.aggregator.records")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, records, _, _) =>
        {
            if (Interlocked.Add(ref _committed, records) >= _target)
            {
                _reached.TrySetResult(Stopwatch.GetTimestamp());
            }
        });
        _listener.Start();
    }

    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the last event was committed.</summary>
    public Task<long> LastCommitted => _reached.Task;

    public void Dispose() => _listener.Dispose();
}
