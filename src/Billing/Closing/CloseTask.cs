namespace Tally.Billing.Closing;

/// <summary>
/// The steps of one customer's close, in order. Ledger-only steps that follow each other run in one
/// transaction; each is still recorded in the history on its own.
/// </summary>
public enum CloseStep
{
    /// <summary>Wait for the period's end plus grace and for the aggregator to have stored everything acknowledged before it; then freeze the usage.</summary>
    Freeze,

    /// <summary>Rate the frozen usage (the live bill's code), run the data-quality checks, decide whether a person must approve.</summary>
    Draft,

    /// <summary>Wait for a person to approve or reject the draft.</summary>
    Approval,

    /// <summary>Issue the invoice (its number) and queue its event.</summary>
    Issue,

    /// <summary>Create the invoice in the payment processor, once.</summary>
    Push,

    Done,
}

/// <summary>Whether a task can be worked on now.</summary>
public enum CloseTaskState
{
    /// <summary>Due at <see cref="CloseTask.NextAttemptAt"/>.</summary>
    Ready,

    /// <summary>Waits for a signal (approval).</summary>
    Waiting,

    /// <summary>Failed for good or past its retries; shown with its error, retried by hand.</summary>
    Parked,

    Done,
}

/// <summary>One customer's part of a close run.</summary>
public sealed record CloseTask(
    string TenantId,
    string RunId,
    string CustomerId,
    CloseStep Step,
    CloseTaskState State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    string? InvoiceId,
    string? Error)
{
    /// <summary>Set while a worker holds the task; a commit with a stale token changes nothing.</summary>
    public string? LeaseToken { get; init; }

    /// <summary>When leased: the worker whose lease on it expired without a commit (it died or stalled); this worker resumes its step.</summary>
    public string? ResumedFrom { get; init; }
}

/// <summary>One entry of a run's append-only history: a step started, succeeded, failed, was retried, resumed or compensated.</summary>
public sealed record CloseHistoryEntry(
    string RunId,
    string? CustomerId,
    DateTimeOffset At,
    string Step,
    string Outcome,
    int Attempt,
    string? Detail,
    string Worker);
