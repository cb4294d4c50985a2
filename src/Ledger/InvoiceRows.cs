using System.Data.Common;
using System.Text.Json;
using Dapper;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Invoices;

namespace Tally.Ledger;

/// <summary>
/// Reading and writing invoice documents inside a caller's transaction: the close-run store creates and
/// issues them in the same transaction as the step that makes them, the invoice store reads and voids them.
/// </summary>
internal static class InvoiceRows
{
    private const string Columns = "i.tenant_id, i.id, i.kind, i.invoice_number, i.customer_id, i.billing_period, i.period_from, i.period_to, i.currency, i.total, i.status, i.close_run_id, i.corrects, i.usage_cutoff, i.created_at, i.issued_at, i.voided_at, i.void_reason, i.external_id, i.issues, i.reviewed_by";

    private static readonly string[] InvoiceColumns =
    [
        "tenant_id", "id", "kind", "invoice_number", "customer_id", "billing_period", "period_from", "period_to", "currency", "total", "status",
        "close_run_id", "corrects", "usage_cutoff", "created_at", "issued_at", "voided_at", "void_reason", "external_id", "issues", "reviewed_by",
    ];

    private static readonly string[] LineColumns = ["tenant_id", "invoice_id", "ordinal", "line_key", "description", "rate_card_key", "meter_slug", "quantity", "unit_price", "amount", "covers", "detail"];

    private static readonly string[] OutboxColumns = ["tenant_id", "id", "event_type", "invoice_id", "payload", "created_at", "published_at"];

    /// <summary>
    /// Stores drafts, except where the draft's run already made a live document for the customer; returns, per
    /// draft in order, the id of the document that stands. A few statements for the whole list.
    /// </summary>
    public static async Task<IReadOnlyList<string>> InsertDraftsAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, IReadOnlyList<Invoice> drafts, CancellationToken cancellationToken)
    {
        var standing = new Dictionary<(string TenantId, string RunId, string CustomerId), string>();
        foreach (var run in drafts.Where(d => d.CloseRunId is not null).GroupBy(d => (d.TenantId, RunId: d.CloseRunId!)))
        {
            foreach (var chunk in run.Select(d => d.CustomerId).Chunk(500))
            {
                var rows = await connection.QueryAsync<(string CustomerId, string Id)>(LedgerDatabase.Command(
                    $"SELECT customer_id, id FROM billing_invoices WHERE tenant_id = @TenantId AND close_run_id = @RunId AND {dialect.InList("customer_id", "Ids")} AND status <> 'Voided'",
                    new { run.Key.TenantId, run.Key.RunId, Ids = dialect.List(chunk) },
                    transaction,
                    cancellationToken));
                foreach (var row in rows)
                {
                    standing[(run.Key.TenantId, run.Key.RunId, row.CustomerId)] = row.Id;
                }
            }
        }

        var fresh = drafts.Where(d => d.CloseRunId is null || !standing.ContainsKey((d.TenantId, d.CloseRunId, d.CustomerId))).ToList();
        await RowBatches.InsertAsync(connection, transaction, dialect, "billing_invoices", InvoiceColumns, [.. fresh.Select(draft => new object?[]
        {
            draft.TenantId, draft.Id, draft.Kind.ToString(), null, draft.CustomerId, draft.Period.ToString(), dialect.Instant(draft.PeriodFrom), dialect.Instant(draft.PeriodTo),
            draft.Currency.Code, dialect.Decimal(draft.Total), draft.Status.ToString(), draft.CloseRunId, draft.Corrects,
            draft.UsageCutoff is { } cutoff ? dialect.Instant(cutoff) : null, dialect.Instant(draft.CreatedAt), null, null, null, null,
            draft.Issues.Count == 0 ? null : JsonSerializer.Serialize(draft.Issues, LedgerJson.Options), null,
        })], "", cancellationToken);
        await RowBatches.InsertAsync(connection, transaction, dialect, "billing_invoice_lines", LineColumns, [.. fresh.SelectMany(draft => draft.Lines.Select((line, i) => new object?[]
        {
            draft.TenantId, draft.Id, (long)i, line.Key, line.Description, line.RateCardKey, line.MeterSlug, dialect.Decimal(line.Quantity),
            line.UnitPrice is { } price ? dialect.Decimal(price) : null, dialect.Decimal(line.Amount), line.Covers?.ToString(), line.Detail,
        }))], "", cancellationToken);
        return [.. drafts.Select(d => d.CloseRunId is { } runId && standing.TryGetValue((d.TenantId, runId, d.CustomerId), out var id) ? id : d.Id)];
    }

    /// <summary>
    /// Issues drafts of one tenant in the order given: the next numbers of their series (taken at once from a
    /// row locked until commit, so a rollback gives them back and the sequence has no gaps), the issue time and
    /// each one's <c>invoice.issued</c> event. Documents already issued or voided are left as they are.
    /// </summary>
    public static async Task IssueManyAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, string tenantId, IReadOnlyList<string> invoiceIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var drafts = new Dictionary<string, DraftRow>(StringComparer.Ordinal);
        foreach (var chunk in invoiceIds.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            foreach (var row in await connection.QueryAsync<DraftRow>(LedgerDatabase.Command(
                $"SELECT id, kind, customer_id, billing_period, total, currency, corrects, status FROM billing_invoices WHERE tenant_id = @TenantId AND {dialect.InList("id", "Ids")} AND status IN ('Draft', 'PendingApproval')",
                new { TenantId = tenantId, Ids = dialect.List(chunk) },
                transaction,
                cancellationToken)))
            {
                drafts[row.Id] = row;
            }
        }

        var issued = new List<object?[]>();
        var events = new List<BillingEvent>();
        foreach (var series in invoiceIds.Where(drafts.ContainsKey).Distinct(StringComparer.Ordinal).Select(id => drafts[id]).GroupBy(d => d.Kind == nameof(InvoiceKind.CreditNote) ? "CN" : "INV"))
        {
            var count = series.Count();
            var last = await connection.ExecuteScalarAsync<long>(LedgerDatabase.Command(
                """
                INSERT INTO invoice_number_sequences (tenant_id, series, last_seq) VALUES (@TenantId, @Series, @Count)
                ON CONFLICT (tenant_id, series) DO UPDATE SET last_seq = invoice_number_sequences.last_seq + @Count
                RETURNING last_seq
                """,
                new { TenantId = tenantId, Series = series.Key, Count = (long)count },
                transaction,
                cancellationToken));
            var seq = last - count;
            foreach (var draft in series)
            {
                var number = $"{series.Key}-{++seq:D6}";
                issued.Add([tenantId, draft.Id, number, dialect.Instant(now)]);
                events.Add(new BillingEvent("invoice.issued", tenantId, draft.Id, JsonSerializer.Serialize(
                    new
                    {
                        invoiceId = draft.Id,
                        number,
                        type = draft.Kind == nameof(InvoiceKind.CreditNote) ? "credit_note" : "standard",
                        customerId = draft.CustomerId,
                        period = draft.BillingPeriod,
                        total = dialect.ReadDecimal(draft.Total).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        currency = draft.Currency,
                        corrects = draft.Corrects,
                        issuedAt = now,

                        // A draft that waited for a person was announced then (invoice.approval_required); its issue is an update of it.
                        heldForApproval = draft.Status == nameof(InvoiceStatus.PendingApproval),
                    },
                    LedgerJson.Options)));
            }
        }

        await RowBatches.UpdateFromAsync(connection, transaction, dialect, "billing_invoices",
            "status = 'Issued', invoice_number = v.column3, issued_at = v.column4",
            "billing_invoices.tenant_id = v.column1 AND billing_invoices.id = v.column2", 4, issued, cancellationToken);
        await EnqueueAsync(connection, transaction, dialect, events, now, cancellationToken);
    }

    /// <summary>Voids a document that is not voided yet and queues <c>invoice.voided</c>; false when there was nothing to void.</summary>
    public static async Task<bool> VoidAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, string tenantId, string invoiceId, string reason, string? reviewedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var voided = await connection.ExecuteAsync(LedgerDatabase.Command(
            "UPDATE billing_invoices SET status = 'Voided', voided_at = @Now, void_reason = @Reason, reviewed_by = COALESCE(@ReviewedBy, reviewed_by) WHERE tenant_id = @TenantId AND id = @InvoiceId AND status <> 'Voided'",
            new { Now = dialect.Instant(now), Reason = reason, ReviewedBy = reviewedBy, TenantId = tenantId, InvoiceId = invoiceId },
            transaction,
            cancellationToken));
        if (voided > 0)
        {
            await EnqueueAsync(connection, transaction, dialect, [new BillingEvent("invoice.voided", tenantId, invoiceId, JsonSerializer.Serialize(new { reason }, LedgerJson.Options))], now, cancellationToken);
        }

        return voided > 0;
    }

    /// <summary>Queues billing events in the outbox, in the order given.</summary>
    public static Task EnqueueAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, IReadOnlyList<BillingEvent> events, DateTimeOffset now, CancellationToken cancellationToken) =>
        RowBatches.InsertAsync(connection, transaction, dialect, "billing_outbox", OutboxColumns,
            [.. events.Select(e => new object?[] { e.TenantId, Ids.New("evt"), e.Type, e.InvoiceId, e.Payload, dialect.Instant(now), null })], "", cancellationToken);

    /// <summary>Documents matching <paramref name="where"/> (a condition on alias <c>i</c>, tenant already applied), with their lines.</summary>
    public static async Task<IReadOnlyList<Invoice>> LoadAsync(DbConnection connection, DbTransaction? transaction, LedgerDialect dialect, string where, object parameters, string orderAndPage, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<Row>(LedgerDatabase.Command(
            $"SELECT {Columns} FROM billing_invoices i WHERE i.tenant_id = @TenantId {where} {orderAndPage}",
            parameters,
            transaction,
            cancellationToken))).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        var lines = (await connection.QueryAsync<LineRow>(LedgerDatabase.Command(
            $"SELECT invoice_id, line_key, description, rate_card_key, meter_slug, quantity, unit_price, amount, covers, detail FROM billing_invoice_lines WHERE tenant_id = @TenantId AND {dialect.InList("invoice_id", "Ids")} ORDER BY invoice_id, ordinal",
            new { rows[0].TenantId, Ids = dialect.List(rows.Select(r => r.Id)) },
            transaction,
            cancellationToken))).ToLookup(l => l.InvoiceId);
        return [.. rows.Select(r => r.ToInvoice(dialect, lines[r.Id]))];
    }

    private static BillingPeriod Period(string text, string what) =>
        BillingPeriod.TryParse(text, out var period) ? period : throw new FormatException($"{what} has a malformed period '{text}'.");

    private sealed class Row
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string Kind { get; set; } = "";

        public string? InvoiceNumber { get; set; }

        public string CustomerId { get; set; } = "";

        public string BillingPeriod { get; set; } = "";

        public object PeriodFrom { get; set; } = null!;

        public object PeriodTo { get; set; } = null!;

        public string Currency { get; set; } = "";

        public object Total { get; set; } = null!;

        public string Status { get; set; } = "";

        public string? CloseRunId { get; set; }

        public string? Corrects { get; set; }

        public object? UsageCutoff { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object? IssuedAt { get; set; }

        public object? VoidedAt { get; set; }

        public string? VoidReason { get; set; }

        public string? ExternalId { get; set; }

        public string? Issues { get; set; }

        public string? ReviewedBy { get; set; }

        public Invoice ToInvoice(LedgerDialect dialect, IEnumerable<LineRow> lines) => new(
            TenantId,
            Id,
            Enum.Parse<InvoiceKind>(Kind),
            CustomerId,
            Period(BillingPeriod, $"Invoice {Id}"),
            dialect.ReadInstant(PeriodFrom),
            dialect.ReadInstant(PeriodTo),
            Billing.Currency.Parse(Currency),
            [.. lines.Select(l => l.ToLine(dialect))],
            dialect.ReadDecimal(Total),
            Enum.Parse<InvoiceStatus>(Status),
            dialect.ReadInstant(CreatedAt))
        {
            Number = InvoiceNumber,
            CloseRunId = CloseRunId,
            Corrects = Corrects,
            UsageCutoff = UsageCutoff is null ? null : dialect.ReadInstant(UsageCutoff),
            IssuedAt = IssuedAt is null ? null : dialect.ReadInstant(IssuedAt),
            VoidedAt = VoidedAt is null ? null : dialect.ReadInstant(VoidedAt),
            VoidReason = VoidReason,
            ExternalId = ExternalId,
            Issues = Issues is null ? Array.Empty<InvoiceIssue>() : JsonSerializer.Deserialize<InvoiceIssue[]>(Issues, LedgerJson.Options) ?? [],
            ReviewedBy = ReviewedBy,
        };
    }

    private sealed class DraftRow
    {
        public string Id { get; set; } = "";

        public string Kind { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public string BillingPeriod { get; set; } = "";

        public object Total { get; set; } = null!;

        public string Currency { get; set; } = "";

        public string? Corrects { get; set; }

        public string Status { get; set; } = "";
    }

    private sealed class LineRow
    {
        public string InvoiceId { get; set; } = "";

        public string LineKey { get; set; } = "";

        public string Description { get; set; } = "";

        public string? RateCardKey { get; set; }

        public string? MeterSlug { get; set; }

        public object Quantity { get; set; } = null!;

        public object? UnitPrice { get; set; }

        public object Amount { get; set; } = null!;

        public string? Covers { get; set; }

        public string? Detail { get; set; }

        public InvoiceLine ToLine(LedgerDialect dialect) =>
            new(LineKey, Description, RateCardKey, MeterSlug, dialect.ReadDecimal(Quantity), UnitPrice is null ? null : dialect.ReadDecimal(UnitPrice), dialect.ReadDecimal(Amount))
            {
                Covers = Covers is null ? null : Period(Covers, $"Line {LineKey} of invoice {InvoiceId}"),
                Detail = Detail,
            };
    }
}
