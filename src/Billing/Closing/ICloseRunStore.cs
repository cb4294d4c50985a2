using Tally.Billing.Invoices;

namespace Tally.Billing.Closing;

/// <summary>
/// The durable state of close runs: runs, one task per customer, frozen usage, the append-only history,
/// and the invoices the tasks make. Workers lease due tasks; everything one step did for a task is
/// committed in one transaction, and only while the worker still holds the task's lease.
/// </summary>
public interface ICloseRunStore
{
    /// <summary>
    /// Stores the run with one task per customer at <see cref="CloseStep.Freeze"/>, due at
    /// <paramref name="dueAt"/>; conflict on field <c>period</c> when the tenant already has a (not dry) close run of the period.
    /// </summary>
    Task CreateAsync(CloseRun run, IReadOnlyList<string> customerIds, DateTimeOffset dueAt, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a task (at <see cref="CloseStep.Freeze"/>, due at <paramref name="dueAt"/>) for every customer
    /// of the tenant created since the run was and not in it yet; returns how many. A period can end in a
    /// run's label after the run started (a later anniversary, a zone behind UTC), so its run takes them in.
    /// </summary>
    Task<int> AddNewCustomersAsync(CloseRun run, DateTimeOffset dueAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The run; with its progress (a count over all its tasks) unless <paramref name="withProgress"/> is false, as workers need it.</summary>
    Task<CloseRun?> GetAsync(string tenantId, string runId, CancellationToken cancellationToken, bool withProgress = true);

    /// <summary>The tenant's runs, newest first, optionally of one period.</summary>
    Task<IReadOnlyList<CloseRun>> ListAsync(string tenantId, BillingPeriod? period, CancellationToken cancellationToken);

    /// <summary>Every tenant's periods that have a (not dry) close run.</summary>
    Task<IReadOnlySet<(string TenantId, BillingPeriod Period)>> ClosedPeriodsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CloseTask>> TasksAsync(string tenantId, string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="max"/> tasks at <paramref name="step"/> that are due at <paramref name="now"/>
    /// and not leased by anyone else, for <paramref name="leaseFor"/>; each comes with its lease token.
    /// </summary>
    Task<IReadOnlyList<CloseTask>> LeaseAsync(CloseStep step, int max, string worker, DateTimeOffset now, TimeSpan leaseFor, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the outcomes in one transaction. An outcome whose task is no longer leased with its token
    /// (the lease expired and another worker took it) changes nothing; returns how many were applied.
    /// </summary>
    Task<int> CommitAsync(IReadOnlyList<CloseOutcome> outcomes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The usage frozen for the customers of a run.</summary>
    Task<IReadOnlyList<FrozenUsage>> FrozenUsageAsync(string tenantId, string runId, IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken);

    /// <summary>The run's history, oldest first: run-level entries and, if asked, one customer's (else all).</summary>
    Task<IReadOnlyList<CloseHistoryEntry>> HistoryAsync(string tenantId, string runId, string? customerId, CancellationToken cancellationToken);

    /// <summary>
    /// A person's or operator's signal to a customer's task: approve or reject a draft waiting for
    /// approval, or retry a parked task. Returns the task after the signal, or null when there is no
    /// such task or it is not in a state the signal applies to.
    /// </summary>
    Task<CloseTask?> SignalAsync(string tenantId, string runId, string customerId, CloseSignal signal, string by, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The customers' live (not voided) invoices of the period and the runs that made them: customer id to (invoice id, run id).</summary>
    Task<IReadOnlyDictionary<string, (string InvoiceId, string? RunId)>> LiveInvoicesAsync(string tenantId, IReadOnlyCollection<string> customerIds, BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>The net amount already invoiced to the customer for a period (issued documents, credit notes subtracted).</summary>
    Task<IReadOnlyDictionary<string, InvoicedPeriod>> InvoicedAsync(string tenantId, IReadOnlyCollection<string> customerIds, BillingPeriod period, CancellationToken cancellationToken);
}

/// <summary>A signal sent to a waiting or parked task.</summary>
public enum CloseSignal
{
    Approve,
    Reject,
    Retry,
}

/// <summary>What a customer was invoiced for a period so far: net amount, the latest usage cutoff billed, and the invoice late usage corrects.</summary>
public sealed record InvoicedPeriod(decimal Net, DateTimeOffset? LastCutoff, string? InvoiceId, decimal Total)
{
    /// <summary>The period's newest issued standard document: the last re-run's adjustment invoice, else the period's invoice. A credit note corrects it.</summary>
    public string? LatestInvoiceId { get; init; }
}

/// <summary>A usage total as it was frozen for a run: what <see cref="UsageKey"/> measured for <see cref="Covers"/> up to <see cref="Cutoff"/>.</summary>
public sealed record FrozenUsage(string CustomerId, string UsageKey, BillingPeriod Covers, decimal Quantity, DateTimeOffset Cutoff);

/// <summary>
/// What a worker did with one leased task: where the task goes next, what to record, and the ledger
/// effects to apply with it, all or nothing.
/// </summary>
public sealed record CloseOutcome(CloseTask Task, CloseStep Step, CloseTaskState State, int Attempts, DateTimeOffset NextAttemptAt, string? Error)
{
    public IReadOnlyList<CloseHistoryEntry> History { get; init; } = [];

    public IReadOnlyList<FrozenUsage> Frozen { get; init; } = [];

    /// <summary>A document to store (a draft, or one waiting for approval); an existing one of the same run and customer is kept instead.</summary>
    public Invoice? Draft { get; init; }

    /// <summary>Issue the task's invoice: its number, its issue time, and its event queued.</summary>
    public bool Issue { get; init; }

    /// <summary>The payment processor's id of the task's invoice, now pushed.</summary>
    public string? ExternalId { get; init; }

    /// <summary>Void the task's invoice with this reason (a rejected draft, or compensation after a failed push).</summary>
    public string? VoidReason { get; init; }

    /// <summary>An event to queue for Kafka and webhooks (e.g. a customer parked).</summary>
    public BillingEvent? Event { get; init; }

    /// <summary>The invoice the task now owns.</summary>
    public string? InvoiceId { get; init; }
}

/// <summary>An event for the outbox: <c>invoice.issued</c>, <c>invoice.voided</c>, <c>close.customer_parked</c>, ...</summary>
public sealed record BillingEvent(string Type, string TenantId, string? InvoiceId, string Payload);
