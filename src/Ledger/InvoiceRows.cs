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

    /// <summary>Stores a draft unless the run already made a live document for the customer; returns the id of the one that stands.</summary>
    public static async Task<string> InsertDraftAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, Invoice draft, CancellationToken cancellationToken)
    {
        if (draft.CloseRunId is { } runId)
        {
            var existing = await connection.QuerySingleOrDefaultAsync<string?>(LedgerDatabase.Command(
                "SELECT id FROM billing_invoices WHERE tenant_id = @TenantId AND close_run_id = @RunId AND customer_id = @CustomerId AND status <> 'Voided'",
                new { draft.TenantId, RunId = runId, draft.CustomerId },
                transaction,
                cancellationToken));
            if (existing is not null)
            {
                return existing;
            }
        }

        await connection.ExecuteAsync(LedgerDatabase.Command(
            """
            INSERT INTO billing_invoices (tenant_id, id, kind, invoice_number, customer_id, billing_period, period_from, period_to, currency, total, status,
                close_run_id, corrects, usage_cutoff, created_at, issued_at, voided_at, void_reason, external_id, issues, reviewed_by)
            VALUES (@TenantId, @Id, @Kind, NULL, @CustomerId, @Period, @From, @To, @Currency, @Total, @Status,
                @CloseRunId, @Corrects, @UsageCutoff, @CreatedAt, NULL, NULL, NULL, NULL, @Issues, NULL)
            """,
            new
            {
                draft.TenantId,
                draft.Id,
                Kind = draft.Kind.ToString(),
                draft.CustomerId,
                Period = draft.Period.ToString(),
                From = dialect.Instant(draft.PeriodFrom),
                To = dialect.Instant(draft.PeriodTo),
                Currency = draft.Currency.Code,
                Total = dialect.Decimal(draft.Total),
                Status = draft.Status.ToString(),
                draft.CloseRunId,
                draft.Corrects,
                UsageCutoff = draft.UsageCutoff is { } cutoff ? dialect.Instant(cutoff) : null,
                CreatedAt = dialect.Instant(draft.CreatedAt),
                Issues = draft.Issues.Count == 0 ? null : JsonSerializer.Serialize(draft.Issues, LedgerJson.Options),
            },
            transaction,
            cancellationToken));
        await connection.ExecuteAsync(LedgerDatabase.Command(
            """
            INSERT INTO billing_invoice_lines (tenant_id, invoice_id, ordinal, line_key, description, rate_card_key, meter_slug, quantity, unit_price, amount, covers, detail)
            VALUES (@TenantId, @InvoiceId, @Ordinal, @Key, @Description, @RateCardKey, @MeterSlug, @Quantity, @UnitPrice, @Amount, @Covers, @Detail)
            """,
            draft.Lines.Select((line, i) => new
            {
                draft.TenantId,
                InvoiceId = draft.Id,
                Ordinal = (long)i,
                line.Key,
                line.Description,
                line.RateCardKey,
                line.MeterSlug,
                Quantity = dialect.Decimal(line.Quantity),
                UnitPrice = line.UnitPrice is { } price ? dialect.Decimal(price) : null,
                Amount = dialect.Decimal(line.Amount),
                Covers = line.Covers?.ToString(),
                line.Detail,
            }),
            transaction,
            cancellationToken));
        return draft.Id;
    }

    /// <summary>
    /// Issues a draft: the next number of its series (a row locked until commit, so a rollback gives the
    /// number back and the sequence has no gaps), the issue time and the <c>invoice.issued</c> event.
    /// Does nothing to a document that is already issued or voided.
    /// </summary>
    public static async Task<bool> IssueAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, string tenantId, string invoiceId, string? reviewedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var draft = await connection.QuerySingleOrDefaultAsync<(string Kind, string CustomerId, string BillingPeriod, object Total, string Currency, string? Corrects)?>(LedgerDatabase.Command(
            "SELECT kind, customer_id, billing_period, total, currency, corrects FROM billing_invoices WHERE tenant_id = @TenantId AND id = @InvoiceId AND status IN ('Draft', 'PendingApproval')",
            new { TenantId = tenantId, InvoiceId = invoiceId },
            transaction,
            cancellationToken));
        if (draft is not { } found)
        {
            return false;
        }

        var series = found.Kind == nameof(InvoiceKind.CreditNote) ? "CN" : "INV";
        var seq = await connection.ExecuteScalarAsync<long>(LedgerDatabase.Command(
            """
            INSERT INTO invoice_number_sequences (tenant_id, series, last_seq) VALUES (@TenantId, @Series, 1)
            ON CONFLICT (tenant_id, series) DO UPDATE SET last_seq = invoice_number_sequences.last_seq + 1
            RETURNING last_seq
            """,
            new { TenantId = tenantId, Series = series },
            transaction,
            cancellationToken));
        var number = $"{series}-{seq:D6}";
        await connection.ExecuteAsync(LedgerDatabase.Command(
            "UPDATE billing_invoices SET status = 'Issued', invoice_number = @Number, issued_at = @Now, reviewed_by = COALESCE(@ReviewedBy, reviewed_by) WHERE tenant_id = @TenantId AND id = @InvoiceId",
            new { Number = number, Now = dialect.Instant(now), ReviewedBy = reviewedBy, TenantId = tenantId, InvoiceId = invoiceId },
            transaction,
            cancellationToken));
        var payload = JsonSerializer.Serialize(
            new
            {
                invoiceId,
                number,
                type = found.Kind == nameof(InvoiceKind.CreditNote) ? "credit_note" : "standard",
                customerId = found.CustomerId,
                period = found.BillingPeriod,
                total = dialect.ReadDecimal(found.Total).ToString(System.Globalization.CultureInfo.InvariantCulture),
                currency = found.Currency,
                corrects = found.Corrects,
                issuedAt = now,
            },
            LedgerJson.Options);
        await EnqueueAsync(connection, transaction, dialect, new BillingEvent("invoice.issued", tenantId, invoiceId, payload), now, cancellationToken);
        return true;
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
            await EnqueueAsync(connection, transaction, dialect, new BillingEvent("invoice.voided", tenantId, invoiceId, JsonSerializer.Serialize(new { reason }, LedgerJson.Options)), now, cancellationToken);
        }

        return voided > 0;
    }

    public static Task EnqueueAsync(DbConnection connection, DbTransaction transaction, LedgerDialect dialect, BillingEvent billingEvent, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(LedgerDatabase.Command(
            "INSERT INTO billing_outbox (tenant_id, id, event_type, invoice_id, payload, created_at, published_at) VALUES (@TenantId, @Id, @Type, @InvoiceId, @Payload, @Now, NULL)",
            new { billingEvent.TenantId, Id = Ids.New("evt"), billingEvent.Type, billingEvent.InvoiceId, billingEvent.Payload, Now = dialect.Instant(now) },
            transaction,
            cancellationToken));

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
            new { rows[0].TenantId, Ids = rows.Select(r => r.Id).ToArray() },
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
