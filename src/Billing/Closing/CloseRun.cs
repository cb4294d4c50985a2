namespace Tally.Billing.Closing;

/// <summary>What a close run does: close a period for the first time, or re-run a closed one.</summary>
public enum CloseRunKind
{
    /// <summary>The period's invoices, one per customer.</summary>
    Close,

    /// <summary>A closed period again: the difference to what was invoiced becomes an adjustment invoice or a credit note.</summary>
    Rerun,
}

/// <summary>A run's overall state, derived from its customers' tasks.</summary>
public enum CloseRunStatus
{
    Running,

    /// <summary>Every customer's task is done.</summary>
    Completed,

    /// <summary>Nothing left to do, but some customers are parked with an error or wait for approval.</summary>
    NeedsAttention,
}

/// <summary>
/// One tenant's close of one billing period: a persisted workflow that fans out one task per customer.
/// It pins what it ran with (<see cref="CodeVersion"/>); its history is append-only.
/// </summary>
public sealed record CloseRun(
    string TenantId,
    string Id,
    BillingPeriod Period,
    CloseRunKind Kind,
    bool DryRun,
    string? CustomerId,
    string RequestedBy,
    string CodeVersion,
    DateTimeOffset CreatedAt)
{
    public CloseRunProgress Progress { get; init; } = CloseRunProgress.Empty;

    public CloseRunStatus Status => Progress.Total > 0 && Progress.Done == Progress.Total
        ? CloseRunStatus.Completed
        : Progress.Total > 0 && Progress.Parked + Progress.AwaitingApproval + Progress.Done == Progress.Total
            ? CloseRunStatus.NeedsAttention
            : Progress.Total == 0 ? CloseRunStatus.Completed : CloseRunStatus.Running;
}

/// <summary>How many of a run's customers are at each stage.</summary>
public sealed record CloseRunProgress(int Total, int Waiting, int InProgress, int AwaitingApproval, int Parked, int Done)
{
    public static CloseRunProgress Empty { get; } = new(0, 0, 0, 0, 0, 0);
}
