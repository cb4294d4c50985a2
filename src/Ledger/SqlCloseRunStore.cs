using System.Data.Common;
using System.Text.Json;
using Dapper;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Invoices;

namespace Tally.Ledger;

/// <summary>
/// Close runs in the ledger. A task is leased by writing a fresh token on due rows (PostgreSQL skips
/// rows another worker is leasing; SQLite has one writer at a time); a commit first checks that the
/// token is still there, so a worker whose lease expired and was taken over changes nothing. Every
/// effect of a step — frozen usage, the invoice, its number, its event, the history — lands in the
/// same transaction as the task's move to its next step.
/// </summary>
internal sealed partial class SqlCloseRunStore(LedgerDatabase database) : ICloseRunStore
{
    private const string TaskColumns = "tenant_id, run_id, customer_id, step, state, attempts, next_attempt_at, invoice_id, error, lease_token, previous_owner";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(CloseRun run, IReadOnlyList<string> customerIds, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    INSERT INTO close_runs (tenant_id, id, billing_period, kind, dry_run, customer_id, requested_by, code_version, created_at, history_count)
                    VALUES (@TenantId, @Id, @Period, @Kind, @DryRun, @CustomerId, @RequestedBy, @CodeVersion, @CreatedAt, 1)
                    """,
                    new
                    {
                        run.TenantId,
                        run.Id,
                        Period = run.Period.ToString(),
                        Kind = run.Kind.ToString(),
                        DryRun = run.DryRun ? 1L : 0L,
                        run.CustomerId,
                        run.RequestedBy,
                        run.CodeVersion,
                        CreatedAt = Dialect.Instant(run.CreatedAt),
                    },
                    transaction,
                    cancellationToken));
                await InsertHistoryAsync(connection, transaction, [(run.TenantId, "", 1, new CloseHistoryEntry(run.Id, null, run.CreatedAt, "Run", "created",
                    0, JsonSerializer.Serialize(new { customers = customerIds.Count, kind = run.Kind.ToString(), dryRun = run.DryRun, requestedBy = run.RequestedBy, codeVersion = run.CodeVersion }, LedgerJson.Options), run.RequestedBy))], cancellationToken);
                // In customer id order: tasks due at one instant are leased in the order they were stored (SQLite breaks the
                // tie by rowid), so each batch's history, frozen usage and invoices go into a few neighbouring pages of
                // indexes keyed by customer, rather than one page each all over indexes that grow with every run.
                await RowBatches.InsertAsync(connection, transaction, Dialect, "close_tasks", ["tenant_id", "run_id", "customer_id", "step", "state", "attempts", "next_attempt_at", "history_count", "updated_at"],
                    [.. customerIds.Order(StringComparer.Ordinal).Select(id => new object?[] { run.TenantId, run.Id, id, nameof(CloseStep.Freeze), nameof(CloseTaskState.Ready), 0L, Dialect.Instant(dueAt), 0L, Dialect.Instant(run.CreatedAt) })],
                    "",
                    cancellationToken);
            },
            cancellationToken);

    public Task<int> AddNewCustomersAsync(CloseRun run, DateTimeOffset dueAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var parameters = new { run.TenantId, RunId = run.Id, Since = Dialect.Instant(run.CreatedAt), DueAt = Dialect.Instant(dueAt), Now = Dialect.Instant(now) };
                var added = await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    INSERT INTO close_tasks (tenant_id, run_id, customer_id, step, state, attempts, next_attempt_at, history_count, updated_at)
                    SELECT c.tenant_id, @RunId, c.id, 'Freeze', 'Ready', 0, @DueAt, 0, @Now FROM customers c
                    WHERE c.tenant_id = @TenantId AND c.deleted_at IS NULL AND c.created_at >= @Since
                      AND NOT EXISTS (SELECT 1 FROM close_tasks t WHERE t.tenant_id = c.tenant_id AND t.run_id = @RunId AND t.customer_id = c.id)
                    ORDER BY c.id
                    """,
                    parameters,
                    transaction,
                    cancellationToken));
                if (added > 0)
                {
                    var ordinal = await connection.ExecuteScalarAsync<long>(LedgerDatabase.Command(
                        "UPDATE close_runs SET history_count = history_count + 1 WHERE tenant_id = @TenantId AND id = @RunId RETURNING history_count", parameters, transaction, cancellationToken));
                    await InsertHistoryAsync(connection, transaction, [(run.TenantId, "", ordinal, new CloseHistoryEntry(run.Id, null, now, "Run", "customers added",
                        0, JsonSerializer.Serialize(new { customers = added }, LedgerJson.Options), "scheduler"))], cancellationToken);
                }

                return (added, added > 0);
            },
            cancellationToken);

    public async Task<CloseRun?> GetAsync(string tenantId, string runId, CancellationToken cancellationToken, bool withProgress = true) =>
        (await RunsAsync("AND id = @RunId", new { TenantId = tenantId, RunId = runId }, cancellationToken, withProgress)).SingleOrDefault();

    public Task<IReadOnlyList<CloseRun>> ListAsync(string tenantId, BillingPeriod? period, CancellationToken cancellationToken) =>
        period is { } p
            ? RunsAsync("AND billing_period = @Period", new { TenantId = tenantId, Period = p.ToString() }, cancellationToken)
            : RunsAsync("", new { TenantId = tenantId }, cancellationToken);

    public Task<IReadOnlySet<(string TenantId, BillingPeriod Period)>> ClosedPeriodsAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlySet<(string, BillingPeriod)>>(
            async connection =>
            {
                var rows = await connection.QueryAsync<(string TenantId, string Period)>(LedgerDatabase.Command(
                    "SELECT tenant_id, billing_period FROM close_runs WHERE kind = 'Close' AND dry_run = 0 AND customer_id IS NULL", null, null, cancellationToken));
                return rows.Select(r => (r.TenantId, BillingPeriod.TryParse(r.Period, out var period) ? period : default)).ToHashSet();
            },
            cancellationToken);

    public Task<IReadOnlyList<CloseTask>> TasksAsync(string tenantId, string runId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<CloseTask>>(
            async connection => [.. (await connection.QueryAsync<TaskRow>(LedgerDatabase.Command(
                $"SELECT {TaskColumns} FROM close_tasks WHERE tenant_id = @TenantId AND run_id = @RunId ORDER BY customer_id",
                new { TenantId = tenantId, RunId = runId },
                null,
                cancellationToken))).Select(r => r.ToTask(Dialect))],
            cancellationToken);

    public Task<IReadOnlyList<CloseTask>> LeaseAsync(CloseStep step, int max, string worker, DateTimeOffset now, TimeSpan leaseFor, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<CloseTask>>(
            async (connection, transaction) =>
            {
                var leased = await connection.QueryAsync<TaskRow>(LedgerDatabase.Command(
                    $"""
                    UPDATE close_tasks SET lease_token = @Token, previous_owner = lease_owner, lease_owner = @Worker, lease_until = @Until
                    FROM (SELECT tenant_id AS t, run_id AS r, customer_id AS c FROM close_tasks
                          WHERE step = @Step AND state = 'Ready' AND next_attempt_at <= @Now AND (lease_until IS NULL OR lease_until < @Now)
                          ORDER BY next_attempt_at LIMIT @Max{Dialect.SkipLocked}) AS due
                    WHERE close_tasks.tenant_id = due.t AND close_tasks.run_id = due.r AND close_tasks.customer_id = due.c
                    RETURNING {TaskColumns}
                    """,
                    new { Token = Guid.NewGuid().ToString("N"), Worker = worker, Until = Dialect.Instant(now + leaseFor), Step = step.ToString(), Now = Dialect.Instant(now), Max = (long)max },
                    transaction,
                    cancellationToken));
                return ([.. leased.Select(r => r.ToTask(Dialect)).OrderBy(t => t.TenantId, StringComparer.Ordinal).ThenBy(t => t.RunId, StringComparer.Ordinal).ThenBy(t => t.CustomerId, StringComparer.Ordinal)], true);
            },
            cancellationToken);

    public Task<int> CommitAsync(IReadOnlyList<CloseOutcome> outcomes, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var kept = await StillLeasedAsync(connection, transaction, outcomes, cancellationToken);
                if (kept.Count == 0)
                {
                    return (0, true);
                }

                await RowBatches.InsertAsync(connection, transaction, Dialect, "close_usage", ["tenant_id", "run_id", "customer_id", "usage_key", "covers", "quantity", "cutoff"],
                    [.. kept.SelectMany(k => k.Outcome.Frozen.Select(f => new object?[] { k.Task.TenantId, k.Task.RunId, k.Task.CustomerId, f.UsageKey, f.Covers.ToString(), Dialect.Decimal(f.Quantity), Dialect.Instant(f.Cutoff) }))],
                    "ON CONFLICT (tenant_id, run_id, customer_id, covers, usage_key) DO NOTHING",
                    cancellationToken);
                var invoiceIds = await ApplyInvoicesAsync(connection, transaction, kept, now, cancellationToken);
                await InvoiceRows.EnqueueAsync(connection, transaction, Dialect, [.. kept.Select(k => k.Outcome.Event).OfType<BillingEvent>()], now, cancellationToken);
                await InsertHistoryAsync(connection, transaction, [.. kept.SelectMany(k => k.Outcome.History.Select((e, i) => (k.Task.TenantId, k.Task.CustomerId, k.HistoryCount + 1 + i, e)))], cancellationToken);
                await RowBatches.UpdateFromAsync(connection, transaction, Dialect, "close_tasks",
                    """
                    step = v.column4, state = v.column5, attempts = v.column6, next_attempt_at = v.column7, error = v.column8, invoice_id = v.column9,
                    lease_token = NULL, lease_owner = NULL, lease_until = NULL, history_count = history_count + v.column10, updated_at = v.column11
                    """,
                    "close_tasks.tenant_id = v.column1 AND close_tasks.run_id = v.column2 AND close_tasks.customer_id = v.column3",
                    11,
                    [.. kept.Select((k, i) => new object?[]
                    {
                        k.Task.TenantId, k.Task.RunId, k.Task.CustomerId, k.Outcome.Step.ToString(), k.Outcome.State.ToString(), (long)k.Outcome.Attempts,
                        Dialect.Instant(k.Outcome.NextAttemptAt), k.Outcome.Error, invoiceIds[i], (long)k.Outcome.History.Count, Dialect.Instant(now),
                    })],
                    cancellationToken);
                return (kept.Count, true);
            },
            cancellationToken);

    public Task<IReadOnlyList<CloseHistoryEntry>> HistoryAsync(string tenantId, string runId, string? customerId, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<CloseHistoryEntry>>(
            async connection =>
            {
                var rows = await connection.QueryAsync<HistoryRow>(LedgerDatabase.Command(
                    $"SELECT run_id, customer_id, ordinal, at, step, outcome, attempt, detail, worker FROM close_history WHERE tenant_id = @TenantId AND run_id = @RunId {(customerId is null ? "" : "AND customer_id IN ('', @CustomerId)")} ORDER BY at, customer_id, ordinal",
                    new { TenantId = tenantId, RunId = runId, CustomerId = customerId },
                    null,
                    cancellationToken));
                return [.. rows.Select(r => new CloseHistoryEntry(r.RunId, r.CustomerId.Length == 0 ? null : r.CustomerId, Dialect.ReadInstant(r.At), r.Step, r.Outcome, (int)r.Attempt, r.Detail, r.Worker))];
            },
            cancellationToken);

    public Task<CloseTask?> SignalAsync(string tenantId, string runId, string customerId, CloseSignal signal, string by, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync<CloseTask?>(
            async (connection, transaction) =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<TaskRow>(LedgerDatabase.Command(
                    $"SELECT {TaskColumns} FROM close_tasks WHERE tenant_id = @TenantId AND run_id = @RunId AND customer_id = @CustomerId",
                    new { TenantId = tenantId, RunId = runId, CustomerId = customerId },
                    transaction,
                    cancellationToken));
                if (row?.ToTask(Dialect) is not { } task)
                {
                    return (null, false);
                }

                var (step, state, outcome) = (signal, task.Step, task.State) switch
                {
                    (CloseSignal.Approve, CloseStep.Approval, CloseTaskState.Waiting) => (CloseStep.Issue, CloseTaskState.Ready, "approved"),
                    (CloseSignal.Reject, CloseStep.Approval, CloseTaskState.Waiting) => (CloseStep.Done, CloseTaskState.Done, "rejected"),
                    (CloseSignal.Retry, _, CloseTaskState.Parked) => (task.Step, CloseTaskState.Ready, "retry requested"),
                    _ => (task.Step, task.State, null),
                };
                if (outcome is null)
                {
                    return (null, false);
                }

                if (task.InvoiceId is { } invoiceId)
                {
                    if (signal == CloseSignal.Reject)
                    {
                        await InvoiceRows.VoidAsync(connection, transaction, Dialect, tenantId, invoiceId, $"rejected by {by}", by, now, cancellationToken);
                    }
                    else if (signal == CloseSignal.Approve)
                    {
                        await connection.ExecuteAsync(LedgerDatabase.Command(
                            "UPDATE billing_invoices SET reviewed_by = @By WHERE tenant_id = @TenantId AND id = @InvoiceId",
                            new { By = by, TenantId = tenantId, InvoiceId = invoiceId },
                            transaction,
                            cancellationToken));
                    }
                }

                var historyCount = await connection.ExecuteScalarAsync<long>(LedgerDatabase.Command(
                    "SELECT history_count FROM close_tasks WHERE tenant_id = @TenantId AND run_id = @RunId AND customer_id = @CustomerId",
                    new { TenantId = tenantId, RunId = runId, CustomerId = customerId },
                    transaction,
                    cancellationToken));
                await InsertHistoryAsync(connection, transaction, [(tenantId, customerId, historyCount + 1, new CloseHistoryEntry(runId, customerId, now, task.Step.ToString(), outcome, task.Attempts, null, by))], cancellationToken);
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    UPDATE close_tasks SET step = @Step, state = @State, attempts = @Attempts, next_attempt_at = @Now, error = @Error, history_count = history_count + 1, updated_at = @Now
                    WHERE tenant_id = @TenantId AND run_id = @RunId AND customer_id = @CustomerId
                    """,
                    new
                    {
                        Step = step.ToString(),
                        State = state.ToString(),
                        Attempts = signal == CloseSignal.Retry ? 0L : task.Attempts,
                        Now = Dialect.Instant(now),
                        Error = signal == CloseSignal.Retry ? null : task.Error,
                        TenantId = tenantId,
                        RunId = runId,
                        CustomerId = customerId,
                    },
                    transaction,
                    cancellationToken));
                return (task with { Step = step, State = state, Attempts = signal == CloseSignal.Retry ? 0 : task.Attempts, NextAttemptAt = now }, true);
            },
            cancellationToken);

    private static BillingPeriod Period(string text) =>
        BillingPeriod.TryParse(text, out var period) ? period : throw new FormatException($"Malformed period '{text}' in the close-run store.");

    /// <summary>
    /// The outcomes whose task still carries the token they were leased with, each with the task's history count;
    /// their rows stay locked until the commit (PostgreSQL), so no other worker leases them meanwhile. An outcome of
    /// a task another worker took over is dropped: that worker's commit is the one that counts.
    /// </summary>
    private async Task<IReadOnlyList<Kept>> StillLeasedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<CloseOutcome> outcomes, CancellationToken cancellationToken)
    {
        var current = new Dictionary<(string, string, string), (string? Token, long HistoryCount)>();
        foreach (var run in outcomes.GroupBy(o => (o.Task.TenantId, o.Task.RunId)))
        {
            foreach (var chunk in run.Select(o => o.Task.CustomerId).Chunk(500))
            {
                var rows = await connection.QueryAsync<(string CustomerId, string? LeaseToken, long HistoryCount)>(LedgerDatabase.Command(
                    $"SELECT customer_id, lease_token, history_count FROM close_tasks WHERE tenant_id = @TenantId AND run_id = @RunId AND {Dialect.InList("customer_id", "Ids")}{Dialect.ForUpdate}",
                    new { run.Key.TenantId, run.Key.RunId, Ids = Dialect.List(chunk) },
                    transaction,
                    cancellationToken));
                foreach (var row in rows)
                {
                    current[(run.Key.TenantId, run.Key.RunId, row.CustomerId)] = (row.LeaseToken, row.HistoryCount);
                }
            }
        }

        return [.. outcomes
            .Where(o => o.Task.LeaseToken is not null && current.TryGetValue((o.Task.TenantId, o.Task.RunId, o.Task.CustomerId), out var row) && row.Token == o.Task.LeaseToken)
            .Select(o => new Kept(o, current[(o.Task.TenantId, o.Task.RunId, o.Task.CustomerId)].HistoryCount))];
    }

    /// <summary>
    /// What the outcomes do to invoices, a few statements for all of them: drafts stored (unless the run already made
    /// one for the customer), drafts issued in the order of the outcomes (so numbers follow it), payment-processor ids
    /// recorded, invoices voided. Returns each outcome's invoice id, in order.
    /// </summary>
    private async Task<IReadOnlyList<string?>> ApplyInvoicesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<Kept> kept, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var invoiceIds = kept.Select(k => k.Outcome.InvoiceId ?? k.Task.InvoiceId).ToArray();
        var drafting = kept.Select((k, i) => (k.Outcome.Draft, Index: i)).Where(d => d.Draft is not null).ToList();
        var standing = await InvoiceRows.InsertDraftsAsync(connection, transaction, Dialect, [.. drafting.Select(d => d.Draft!)], cancellationToken);
        for (var d = 0; d < drafting.Count; d++)
        {
            invoiceIds[drafting[d].Index] = standing[d];
        }

        foreach (var tenant in kept.Select((k, i) => (k, Id: invoiceIds[i])).Where(x => x.k.Outcome.Issue && x.Id is not null).GroupBy(x => x.k.Task.TenantId))
        {
            await InvoiceRows.IssueManyAsync(connection, transaction, Dialect, tenant.Key, [.. tenant.Select(x => x.Id!)], now, cancellationToken);
        }

        await RowBatches.UpdateFromAsync(connection, transaction, Dialect, "billing_invoices", "external_id = v.column3",
            "billing_invoices.tenant_id = v.column1 AND billing_invoices.id = v.column2", 3,
            [.. kept.Select((k, i) => (k, Id: invoiceIds[i])).Where(x => x.Id is not null && x.k.Outcome.ExternalId is not null).Select(x => new object?[] { x.k.Task.TenantId, x.Id, x.k.Outcome.ExternalId })],
            cancellationToken);
        for (var i = 0; i < kept.Count; i++)
        {
            if (invoiceIds[i] is { } invoiceId && kept[i].Outcome.VoidReason is { } reason)
            {
                await InvoiceRows.VoidAsync(connection, transaction, Dialect, kept[i].Task.TenantId, invoiceId, reason, null, now, cancellationToken);
            }
        }

        return invoiceIds;
    }

    private Task InsertHistoryAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(string TenantId, string CustomerId, long Ordinal, CloseHistoryEntry Entry)> entries, CancellationToken cancellationToken) =>
        RowBatches.InsertAsync(connection, transaction, Dialect, "close_history", ["tenant_id", "run_id", "customer_id", "ordinal", "at", "step", "outcome", "attempt", "detail", "worker"],
            [.. entries.Select(e => new object?[] { e.TenantId, e.Entry.RunId, e.CustomerId, e.Ordinal, Dialect.Instant(e.Entry.At), e.Entry.Step, e.Entry.Outcome, (long)e.Entry.Attempt, e.Entry.Detail, e.Entry.Worker })],
            "",
            cancellationToken);

    private Task<IReadOnlyList<CloseRun>> RunsAsync(string where, object parameters, CancellationToken cancellationToken, bool withProgress = true) =>
        database.ReadAsync<IReadOnlyList<CloseRun>>(
            async connection =>
            {
                var rows = (await connection.QueryAsync<RunRow>(LedgerDatabase.Command(
                    $"SELECT tenant_id, id, billing_period, kind, dry_run, customer_id, requested_by, code_version, created_at FROM close_runs WHERE tenant_id = @TenantId {where} ORDER BY created_at DESC, id DESC",
                    parameters,
                    null,
                    cancellationToken))).ToList();
                var runs = new List<CloseRun>(rows.Count);
                foreach (var row in rows)
                {
                    var run = new CloseRun(row.TenantId, row.Id, Period(row.BillingPeriod), Enum.Parse<CloseRunKind>(row.Kind), row.DryRun != 0, row.CustomerId, row.RequestedBy, row.CodeVersion, Dialect.ReadInstant(row.CreatedAt));
                    if (!withProgress)
                    {
                        runs.Add(run);
                        continue;
                    }

                    var counts = (await connection.QueryAsync<(string Step, string State, long Count)>(LedgerDatabase.Command(
                        "SELECT step, state, COUNT(*) FROM close_tasks WHERE tenant_id = @TenantId AND run_id = @RunId GROUP BY step, state",
                        new { row.TenantId, RunId = row.Id },
                        null,
                        cancellationToken))).ToList();
                    int Count(Func<(string Step, string State, long Count), bool> which) => (int)counts.Where(which).Sum(c => c.Count);
                    runs.Add(run with
                    {
                        Progress = new CloseRunProgress(
                            Count(_ => true),
                            Count(c => c.Step == nameof(CloseStep.Freeze) && c.State == nameof(CloseTaskState.Ready)),
                            Count(c => c.Step != nameof(CloseStep.Freeze) && c.State == nameof(CloseTaskState.Ready)),
                            Count(c => c.State == nameof(CloseTaskState.Waiting)),
                            Count(c => c.State == nameof(CloseTaskState.Parked)),
                            Count(c => c.State == nameof(CloseTaskState.Done))),
                    });
                }

                return runs;
            },
            cancellationToken);

    /// <summary>An outcome whose lease held, and its task's history count before this commit.</summary>
    private sealed record Kept(CloseOutcome Outcome, long HistoryCount)
    {
        public CloseTask Task => Outcome.Task;
    }

    private sealed class RunRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string BillingPeriod { get; set; } = "";

        public string Kind { get; set; } = "";

        public long DryRun { get; set; }

        public string? CustomerId { get; set; }

        public string RequestedBy { get; set; } = "";

        public string CodeVersion { get; set; } = "";

        public object CreatedAt { get; set; } = null!;
    }

    private sealed class TaskRow
    {
        public string TenantId { get; set; } = "";

        public string RunId { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public string Step { get; set; } = "";

        public string State { get; set; } = "";

        public long Attempts { get; set; }

        public object NextAttemptAt { get; set; } = null!;

        public string? InvoiceId { get; set; }

        public string? Error { get; set; }

        public string? LeaseToken { get; set; }

        public string? PreviousOwner { get; set; }

        public CloseTask ToTask(LedgerDialect dialect) =>
            new(TenantId, RunId, CustomerId, Enum.Parse<CloseStep>(Step), Enum.Parse<CloseTaskState>(State), (int)Attempts, dialect.ReadInstant(NextAttemptAt), InvoiceId, Error)
            {
                LeaseToken = LeaseToken,
                ResumedFrom = PreviousOwner,
            };
    }

    private sealed class HistoryRow
    {
        public string RunId { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public long Ordinal { get; set; }

        public object At { get; set; } = null!;

        public string Step { get; set; } = "";

        public string Outcome { get; set; } = "";

        public long Attempt { get; set; }

        public string? Detail { get; set; }

        public string Worker { get; set; } = "";
    }
}
