using System.Diagnostics.Metrics;
using Tally.Billing.Closing;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Close-run metrics (meter <c>Tally.Invoicer</c>): tasks finished by outcome, step failures and retries,
/// time per batch and step, and how late invoices are issued against their schedule. Exported through
/// OpenTelemetry (Prometheus at <c>/metrics</c>, OTLP when configured).
/// </summary>
public sealed class CloseMetrics
{
    public const string MeterName = "Tally.Invoicer";

    private readonly Counter<long> _finished;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _lostLeases;
    private readonly Histogram<double> _batchSeconds;
    private readonly Counter<long> _approvalsRequested;
    private readonly Histogram<double> _phaseSeconds;

    public CloseMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _finished = meter.CreateCounter<long>("tally.close.tasks.finished", "{task}", "Customer tasks that reached the end of a run, by outcome (done, parked).");
        _failures = meter.CreateCounter<long>("tally.close.step.failures", "{failure}", "Failed step attempts, by step; each is retried after a backoff or parked.");
        _lostLeases = meter.CreateCounter<long>("tally.close.leases.lost", "{task}", "Outcomes dropped because another worker had taken the task over.");
        _batchSeconds = meter.CreateHistogram<double>("tally.close.batch.duration", "s", "Time to work and commit one batch of a step.");
        _approvalsRequested = meter.CreateCounter<long>("tally.close.approvals.requested", "{invoice}", "Drafts held for a person's approval.");
        _phaseSeconds = meter.CreateHistogram<double>("tally.close.batch.phase.duration", "s", "Time of each phase of a batch, by step and phase: lease, load (runs and customers), work (the step itself), commit.");
    }

    /// <summary>Where one batch's time went: leasing its tasks, loading their runs and customers, the step's own work, the commit.</summary>
    internal void RecordPhases(CloseStep step, TimeSpan lease, TimeSpan load, TimeSpan work, TimeSpan commit)
    {
        var stepTag = new KeyValuePair<string, object?>("step", step.ToString());
        _phaseSeconds.Record(lease.TotalSeconds, stepTag, new KeyValuePair<string, object?>("phase", "lease"));
        _phaseSeconds.Record(load.TotalSeconds, stepTag, new KeyValuePair<string, object?>("phase", "load"));
        _phaseSeconds.Record(work.TotalSeconds, stepTag, new KeyValuePair<string, object?>("phase", "work"));
        _phaseSeconds.Record(commit.TotalSeconds, stepTag, new KeyValuePair<string, object?>("phase", "commit"));
    }

    internal void Record(CloseStep step, IReadOnlyList<CloseOutcome> outcomes, int applied, TimeSpan elapsed)
    {
        var stepTag = new KeyValuePair<string, object?>("step", step.ToString());
        _batchSeconds.Record(elapsed.TotalSeconds, stepTag);
        _lostLeases.Add(outcomes.Count - applied);
        foreach (var outcome in outcomes)
        {
            if (outcome.Error is not null && outcome.Attempts > outcome.Task.Attempts)
            {
                _failures.Add(1, stepTag);
            }

            if (outcome.State is CloseTaskState.Done or CloseTaskState.Parked)
            {
                _finished.Add(1, new KeyValuePair<string, object?>("outcome", outcome.State.ToString().ToLowerInvariant()));
            }

            if (outcome.State == CloseTaskState.Waiting)
            {
                _approvalsRequested.Add(1);
            }
        }
    }
}
