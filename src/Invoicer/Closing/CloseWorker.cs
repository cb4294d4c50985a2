using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;
using Tally.Billing.Usage;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Works close runs: leases due tasks step by step, runs the step for a batch of them and commits every
/// task's outcome with its effects in one transaction. Any number of workers may run, in any number of
/// processes on one ledger; a worker that dies loses its leases when they expire and another resumes
/// the tasks from their last committed step. Nothing a step does outside the ledger (the push) is
/// unsafe to repeat.
/// </summary>
public sealed class CloseWorker : BackgroundService
{
    private static readonly CloseStep[] Steps = [CloseStep.Freeze, CloseStep.Draft, CloseStep.Issue, CloseStep.Push];

    // The other loops leave the push to the first: its calls in flight are bounded by Close:PushConcurrency in all.
    private static readonly CloseStep[] LedgerSteps = [CloseStep.Freeze, CloseStep.Draft, CloseStep.Issue];

    private readonly ICloseRunStore _runs;
    private readonly ICustomerStore _customers;
    private readonly CloseOptions _options;
    private readonly TimeProvider _clock;
    private readonly CloseMetrics _metrics;
    private readonly ILogger<CloseWorker> _logger;
    private readonly FreezeThenDraft _freeze;
    private readonly DraftStep _draft;
    private readonly IssueStep _issue;
    private readonly PushStep _push;
    private readonly IPaymentProcessor _payments;

    public CloseWorker(
        ICloseRunStore runs,
        ICustomerStore customers,
        IInvoiceStore invoices,
        IPeriodRating rating,
        IClosingUsage usage,
        IUsageRollups rollups,
        IUsageWatermark watermark,
        IPaymentProcessor payments,
        IOptions<CloseOptions> options,
        TimeProvider clock,
        CloseMetrics metrics,
        ILogger<CloseWorker> logger)
    {
        _runs = runs;
        _customers = customers;
        _options = options.Value;
        _clock = clock;
        _metrics = metrics;
        _logger = logger;
        _draft = new DraftStep(rating, usage, rollups, runs, _options);
        _freeze = new FreezeThenDraft(rating, new FreezeStep(rating, usage, watermark, runs, _options), _draft, logger);
        _issue = new IssueStep();
        _push = new PushStep(invoices, payments, _options);
        _payments = payments;
    }

    /// <summary>Who this worker is in leases and the history.</summary>
    public string Name { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Works one batch of each step that has due tasks; false when none had any.</summary>
    public Task<bool> RunOnceAsync(CancellationToken cancellationToken) => RunOnceAsync(Steps, cancellationToken);

    /// <summary>Runs until no task is due now (tasks waiting for later or for a person stay).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (await RunOnceAsync(cancellationToken))
        {
        }
    }

    /// <summary>
    /// <see cref="CloseOptions.ConcurrentBatches"/> loops, each leasing and working batches of its own: while one
    /// commits (on SQLite one writer at a time), another rates, reads usage or waits for the usage store.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.ConcurrentBatches).Select(loop => Task.Run(() => LoopAsync(loop == 0 ? Steps : LedgerSteps, stoppingToken), stoppingToken)));

    private async Task<bool> RunOnceAsync(IReadOnlyList<CloseStep> steps, CancellationToken cancellationToken)
    {
        var worked = false;
        foreach (var step in steps)
        {
            worked |= await RunStepAsync(step, cancellationToken);
        }

        return worked;
    }

    private async Task LoopAsync(IReadOnlyList<CloseStep> steps, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool worked;
            try
            {
                worked = await RunOnceAsync(steps, stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The ledger itself failed (a lease or commit): nothing was half-applied; try again shortly.
                InvoicerLog.WorkerFailed(_logger, error);
                worked = false;
            }

            if (!worked)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_options.PollMilliseconds), _clock, stoppingToken);
            }
        }
    }

    private async Task<bool> RunStepAsync(CloseStep step, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var max = step == CloseStep.Push ? _options.PushConcurrency * 4 : _options.BatchSize;
        var leased = await _runs.LeaseAsync(step, max, Name, now, TimeSpan.FromSeconds(_options.LeaseSeconds), cancellationToken);
        if (leased.Count == 0)
        {
            return false;
        }

        var lease = Stopwatch.GetElapsedTime(started);
        var transitions = new Transitions(Name, now, _options.Retry);
        var (batches, orphans) = await RunBatch.LoadAsync(leased, _runs, _customers, _payments, cancellationToken);
        var load = Stopwatch.GetElapsedTime(started) - lease;
        var outcomes = orphans.Select(task => transitions.Fail(task, new InvalidOperationException("The run or the customer no longer exists."), permanent: true)).ToList();
        foreach (var batch in batches)
        {
            try
            {
                outcomes.AddRange(step switch
                {
                    CloseStep.Freeze => await _freeze.RunAsync(batch, transitions, cancellationToken),
                    CloseStep.Draft => await _draft.RunAsync(batch, transitions, cancellationToken),
                    CloseStep.Issue => _issue.Run(batch, transitions),
                    CloseStep.Push => await _push.RunAsync(batch, transitions, cancellationToken),
                    _ => throw new InvalidOperationException($"Step {step} is not worked."),
                });
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // The step failed before it could judge each customer (e.g. the usage store did not answer): all of them try again.
                InvoicerLog.StepFailed(_logger, error, step.ToString(), batch.Run.TenantId, batch.Run.Id, batch.Tasks.Count);
                outcomes.AddRange(batch.Tasks.Select(task => transitions.Fail(task, error, DraftStep.IsPermanent(error))));
            }
        }

        // A task another worker held and never committed is resumed here: say so first in its history.
        outcomes = [.. outcomes.Select(o => o.Task.ResumedFrom is { } previous
            ? o with { History = [transitions.Entry(o.Task, o.Task.Step, "resumed", $"the lease of {previous} expired without a commit"), .. o.History] }
            : o)];
        var work = Stopwatch.GetElapsedTime(started) - lease - load;
        var applied = await _runs.CommitAsync(outcomes, _clock.GetUtcNow(), cancellationToken);
        _metrics.Record(step, outcomes, applied, _clock.GetUtcNow() - now);
        _metrics.RecordPhases(step, lease, load, work, Stopwatch.GetElapsedTime(started) - lease - load - work);
        return true;
    }
}
