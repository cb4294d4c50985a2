using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Invoices;
using Tally.Billing.Tenants;

namespace Tally.Ledger;

/// <summary>
/// Invoices, at most one per tenant, customer and period. The unique (tenant, customer, period)
/// constraint is what makes <see cref="CreateOnceAsync"/> exactly-once, across threads and processes.
/// </summary>
internal sealed class SqlInvoiceStore(LedgerDatabase database, ILogger<SqlInvoiceStore> logger) : IInvoiceStore
{
    private const string Columns = "i.tenant_id, i.id, i.invoice_number, i.customer_id, i.billing_period, i.currency, i.total, i.status, i.external_id, i.issued_at";

    private LedgerDialect Dialect => database.Dialect;

    public async Task<(Invoice Invoice, bool Created)> CreateOnceAsync(Invoice draft, CancellationToken cancellationToken)
    {
        var period = draft.Period.ToString();
        var (number, created) = await database.WriteAsync(
            async (connection, transaction) =>
            {
                var existing = await FindNumberAsync(connection, transaction, draft.TenantId, draft.CustomerId, period, cancellationToken);
                if (existing is not null)
                {
                    return ((existing, false), false);
                }

                // The sequence row is locked until commit, so numbers are handed out one transaction at a time;
                // a rollback gives the number back, which keeps the sequence free of gaps.
                var seq = await connection.ExecuteScalarAsync<long>(LedgerDatabase.Command(
                    """
                    INSERT INTO invoice_sequences (tenant_id, billing_period, last_seq) VALUES (@TenantId, @Period, 1)
                    ON CONFLICT (tenant_id, billing_period) DO UPDATE SET last_seq = invoice_sequences.last_seq + 1
                    RETURNING last_seq
                    """,
                    new { draft.TenantId, Period = period },
                    transaction,
                    cancellationToken));
                var assigned = $"{period}-{seq:D4}";

                // A concurrent writer (PostgreSQL runs them side by side) may have committed the period's
                // invoice since the check above; then this inserts nothing and the transaction rolls back.
                var inserted = await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    INSERT INTO invoices (tenant_id, id, invoice_number, customer_id, billing_period, currency, total, status, external_id, issued_at)
                    VALUES (@TenantId, @Id, @Number, @CustomerId, @Period, @Currency, @Total, @Status, @ExternalId, @IssuedAt)
                    ON CONFLICT (tenant_id, customer_id, billing_period) DO NOTHING
                    """,
                    new
                    {
                        draft.TenantId,
                        draft.Id,
                        Number = assigned,
                        draft.CustomerId,
                        Period = period,
                        Currency = draft.Currency.Code,
                        Total = Dialect.Decimal(draft.Total),
                        Status = draft.Status.ToString(),
                        draft.ExternalId,
                        IssuedAt = Dialect.Instant(draft.IssuedAt),
                    },
                    transaction,
                    cancellationToken));
                if (inserted == 0)
                {
                    return ((null, false), false);
                }

                await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    INSERT INTO invoice_lines (tenant_id, invoice_id, ordinal, rate_card_key, meter_slug, quantity, unit_price, amount)
                    VALUES (@TenantId, @InvoiceId, @Ordinal, @RateCardKey, @MeterSlug, @Quantity, @UnitPrice, @Amount)
                    """,
                    draft.Lines.Select((line, i) => new
                    {
                        draft.TenantId,
                        InvoiceId = draft.Id,
                        Ordinal = (long)i,
                        line.RateCardKey,
                        line.MeterSlug,
                        Quantity = Dialect.Decimal(line.Quantity),
                        UnitPrice = Dialect.Decimal(line.UnitPrice),
                        Amount = Dialect.Decimal(line.Amount),
                    }),
                    transaction,
                    cancellationToken));
                return ((assigned, true), true);
            },
            cancellationToken);

        var invoices = await QueryAsync(
            "AND i.customer_id = @CustomerId AND i.billing_period = @Period",
            new { draft.TenantId, draft.CustomerId, Period = period },
            cancellationToken);
        var invoice = invoices.Count == 1
            ? invoices[0]
            : throw new InvalidOperationException($"Invoice for customer {draft.CustomerId} in {period} vanished after it was written.");

        if (created)
        {
            LedgerLog.InvoiceCreated(logger, invoice.Number, invoice.Id, invoice.CustomerId, invoice.TenantId);
        }
        else
        {
            LedgerLog.InvoiceExisted(logger, invoice.CustomerId, invoice.TenantId, period, number ?? invoice.Number);
        }

        return (invoice, created);
    }

    public async Task<Invoice?> GetAsync(string tenantId, string invoiceId, CancellationToken cancellationToken)
    {
        var invoices = await QueryAsync("AND i.id = @InvoiceId", new { TenantId = tenantId, InvoiceId = invoiceId }, cancellationToken);
        return invoices.Count == 0 ? null : invoices[0];
    }

    public Task<IReadOnlyList<Invoice>> ListAsync(string tenantId, string? customerId, CancellationToken cancellationToken) =>
        customerId is null
            ? QueryAsync("", new { TenantId = tenantId }, cancellationToken)
            : QueryAsync("AND i.customer_id = @CustomerId", new { TenantId = tenantId, CustomerId = customerId }, cancellationToken);

    public Task MarkPushedAsync(string tenantId, string invoiceId, string externalId, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var updated = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE invoices SET status = @Status, external_id = @ExternalId WHERE tenant_id = @TenantId AND id = @InvoiceId",
                    new { Status = nameof(InvoiceStatus.Pushed), ExternalId = externalId, TenantId = tenantId, InvoiceId = invoiceId },
                    transaction,
                    cancellationToken));
                if (updated == 0)
                {
                    throw new KeyNotFoundException($"Tenant {tenantId} has no invoice {invoiceId}.");
                }
            },
            cancellationToken);

    private static Task<string?> FindNumberAsync(DbConnection connection, DbTransaction transaction, string tenantId, string customerId, string period, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(LedgerDatabase.Command(
            "SELECT invoice_number FROM invoices WHERE tenant_id = @TenantId AND customer_id = @CustomerId AND billing_period = @Period",
            new { TenantId = tenantId, CustomerId = customerId, Period = period },
            transaction,
            cancellationToken));

    private Task<IReadOnlyList<Invoice>> QueryAsync(string filter, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Invoice>>(
            async connection =>
            {
                var invoices = await connection.QueryAsync<InvoiceRow>(LedgerDatabase.Command(
                    $"SELECT {Columns} FROM invoices i WHERE i.tenant_id = @TenantId {filter} ORDER BY i.billing_period DESC, i.invoice_number DESC",
                    parameters,
                    null,
                    cancellationToken));
                var lines = (await connection.QueryAsync<LineRow>(LedgerDatabase.Command(
                    $"SELECT l.invoice_id, l.rate_card_key, l.meter_slug, l.quantity, l.unit_price, l.amount FROM invoice_lines l JOIN invoices i ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id WHERE l.tenant_id = @TenantId {filter} ORDER BY l.invoice_id, l.ordinal",
                    parameters,
                    null,
                    cancellationToken))).ToLookup(l => l.InvoiceId);
                return [.. invoices.Select(i => ToInvoice(i, lines[i.Id]))];
            },
            cancellationToken);

    private Invoice ToInvoice(InvoiceRow row, IEnumerable<LineRow> lines)
    {
        if (!BillingPeriod.TryParse(row.BillingPeriod, out var period))
        {
            throw new FormatException($"Invoice {row.Id} has a malformed period '{row.BillingPeriod}'.");
        }

        return new Invoice(
            row.TenantId,
            row.Id,
            row.InvoiceNumber,
            row.CustomerId,
            period,
            Currency.Parse(row.Currency),
            [.. lines.Select(l => new InvoiceLine(l.RateCardKey, l.MeterSlug, Dialect.ReadDecimal(l.Quantity), Dialect.ReadDecimal(l.UnitPrice), Dialect.ReadDecimal(l.Amount)))],
            Dialect.ReadDecimal(row.Total),
            Enum.Parse<InvoiceStatus>(row.Status),
            row.ExternalId,
            Dialect.ReadInstant(row.IssuedAt));
    }

    private sealed class InvoiceRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string InvoiceNumber { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public string BillingPeriod { get; set; } = "";

        public string Currency { get; set; } = "";

        public object Total { get; set; } = null!;

        public string Status { get; set; } = "";

        public string? ExternalId { get; set; }

        public object IssuedAt { get; set; } = null!;
    }

    private sealed class LineRow
    {
        public string InvoiceId { get; set; } = "";

        public string RateCardKey { get; set; } = "";

        public string MeterSlug { get; set; } = "";

        public object Quantity { get; set; } = null!;

        public object UnitPrice { get; set; } = null!;

        public object Amount { get; set; } = null!;
    }
}
