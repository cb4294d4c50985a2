using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Tally.CloseBench;

/// <summary>
/// Where a close spends its time: the close worker's own <c>tally.close.batch.duration</c> and
/// <c>tally.close.batch.phase.duration</c> (meter <c>Tally.Invoicer</c>), summed per step and per step and
/// phase (lease, load, work, commit). The worker works <c>Close:ConcurrentBatches</c> batches at once, so the
/// sums may exceed the wall time.
/// </summary>
internal sealed class StepTimes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, (double Seconds, int Batches)> _byStep = new(StringComparer.Ordinal);
    private long _finished;

    public StepTimes()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Tally.Invoicer" && instrument.Name is "tally.close.batch.duration" or "tally.close.batch.phase.duration" or "tally.close.tasks.finished")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            var (step, phase) = ("", "");
            foreach (var tag in tags)
            {
                (step, phase) = tag.Key switch
                {
                    "step" => (tag.Value as string ?? "", phase),
                    "phase" => (step, tag.Value as string ?? ""),
                    _ => (step, phase),
                };
            }

            // A step's total is "Draft", its phases "Draft/commit" and so on.
            _byStep.AddOrUpdate(phase.Length == 0 ? step : $"{step}/{phase}", (seconds, 1), (_, sum) => (sum.Seconds + seconds, sum.Batches + 1));
        });
        _listener.SetMeasurementEventCallback<long>((_, count, _, _) => Interlocked.Add(ref _finished, count));
        _listener.Start();
    }

    /// <summary>Customer tasks that reached the end of a run (done or parked) since the last <see cref="Reset"/>: how the benchmark sees a run end without asking the API over and over.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    public IReadOnlyDictionary<string, (double Seconds, int Batches)> Snapshot() => new Dictionary<string, (double, int)>(_byStep, StringComparer.Ordinal);

    public void Reset()
    {
        _byStep.Clear();
        Interlocked.Exchange(ref _finished, 0);
    }

    public void Dispose() => _listener.Dispose();
}
