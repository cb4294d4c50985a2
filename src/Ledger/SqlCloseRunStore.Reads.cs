using Dapper;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Invoices;

namespace Tally.Ledger;

/// <summary>The close-run store's reads for invoicing a batch: its frozen usage, what each customer was invoiced for the period, and its live invoices.</summary>
internal sealed partial class SqlCloseRunStore
{
    public Task<IReadOnlyList<FrozenUsage>> FrozenUsageAsync(string tenantId, string runId, IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<FrozenUsage>>(
            async connection =>
            {
                var frozen = new List<FrozenUsage>();
                foreach (var chunk in customerIds.Chunk(500))
                {
                    var rows = await connection.QueryAsync<FrozenRow>(LedgerDatabase.Command(
                        $"SELECT customer_id, usage_key, covers, quantity, cutoff FROM close_usage WHERE tenant_id = @TenantId AND run_id = @RunId AND {Dialect.InList("customer_id", "Ids")} ORDER BY customer_id, covers, usage_key",
                        new { TenantId = tenantId, RunId = runId, Ids = Dialect.List(chunk) },
                        null,
                        cancellationToken));
                    frozen.AddRange(rows.Select(r => new FrozenUsage(r.CustomerId, r.UsageKey, Period(r.Covers), Dialect.ReadDecimal(r.Quantity), Dialect.ReadInstant(r.Cutoff))));
                }

                return frozen;
            },
            cancellationToken);

    public Task<IReadOnlyDictionary<string, InvoicedPeriod>> InvoicedAsync(string tenantId, IReadOnlyCollection<string> customerIds, BillingPeriod period, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, InvoicedPeriod>>(
            async connection =>
            {
                var invoiced = new Dictionary<string, InvoicedPeriod>(StringComparer.Ordinal);
                foreach (var chunk in customerIds.Chunk(500))
                {
                    // CROSS JOIN: SQLite then takes the invoices first, by customer, and their lines by key; left to
                    // choose, it walked every invoice line of the tenant (a batch's read grew with all invoices ever made).
                    var lines = await connection.QueryAsync<InvoicedRow>(LedgerDatabase.Command(
                        $"""
                        SELECT i.customer_id, i.id, i.kind, i.invoice_number, i.corrects, i.billing_period, i.total, i.usage_cutoff, l.amount
                        FROM billing_invoices i CROSS JOIN billing_invoice_lines l
                        WHERE l.tenant_id = i.tenant_id AND l.invoice_id = i.id
                          AND i.tenant_id = @TenantId AND {Dialect.InList("i.customer_id", "Ids")} AND i.status = 'Issued' AND COALESCE(l.covers, i.billing_period) = @Period
                        """,
                        new { TenantId = tenantId, Ids = Dialect.List(chunk), Period = period.ToString() },
                        null,
                        cancellationToken));
                    foreach (var customer in lines.GroupBy(l => l.CustomerId))
                    {
                        var own = customer.Where(l => l.Kind == nameof(InvoiceKind.Standard) && l.BillingPeriod == period.ToString()).ToList();
                        var original = own.FirstOrDefault(l => l.Corrects is null);
                        invoiced[customer.Key] = new InvoicedPeriod(
                            customer.Sum(l => (l.Kind == nameof(InvoiceKind.CreditNote) ? -1 : 1) * Dialect.ReadDecimal(l.Amount)),
                            customer.Where(l => l.UsageCutoff is not null).Select(l => (DateTimeOffset?)Dialect.ReadInstant(l.UsageCutoff!)).Max(),
                            original?.Id,
                            original is null ? 0m : Dialect.ReadDecimal(original.Total))
                        {
                            LatestInvoiceId = own.MaxBy(l => InvoiceNumbers.Sequence(l.InvoiceNumber))?.Id,
                        };
                    }
                }

                return invoiced;
            },
            cancellationToken);

    public Task<IReadOnlyDictionary<string, (string InvoiceId, string? RunId)>> LiveInvoicesAsync(string tenantId, IReadOnlyCollection<string> customerIds, BillingPeriod period, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, (string, string?)>>(
            async connection =>
            {
                var live = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
                foreach (var chunk in customerIds.Chunk(500))
                {
                    var rows = await connection.QueryAsync<(string CustomerId, string Id, string? CloseRunId)>(LedgerDatabase.Command(
                        $"SELECT customer_id, id, close_run_id FROM billing_invoices WHERE tenant_id = @TenantId AND {Dialect.InList("customer_id", "Ids")} AND billing_period = @Period AND kind = 'Standard' AND corrects IS NULL AND status <> 'Voided'",
                        new { TenantId = tenantId, Ids = Dialect.List(chunk), Period = period.ToString() },
                        null,
                        cancellationToken));
                    foreach (var row in rows)
                    {
                        live[row.CustomerId] = (row.Id, row.CloseRunId);
                    }
                }

                return live;
            },
            cancellationToken);

    private sealed class FrozenRow
    {
        public string CustomerId { get; set; } = "";

        public string UsageKey { get; set; } = "";

        public string Covers { get; set; } = "";

        public object Quantity { get; set; } = null!;

        public object Cutoff { get; set; } = null!;
    }

    private sealed class InvoicedRow
    {
        public string CustomerId { get; set; } = "";

        public string Id { get; set; } = "";

        public string Kind { get; set; } = "";

        public string? InvoiceNumber { get; set; }

        public string? Corrects { get; set; }

        public string BillingPeriod { get; set; } = "";

        public object Total { get; set; } = null!;

        public object? UsageCutoff { get; set; }

        public object Amount { get; set; } = null!;
    }
}
