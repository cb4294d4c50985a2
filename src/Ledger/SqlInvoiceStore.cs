using Tally.Billing.Invoices;

namespace Tally.Ledger;

/// <summary>Reads and voids invoice documents; close runs create and issue them (see <see cref="SqlCloseRunStore"/>).</summary>
internal sealed class SqlInvoiceStore(LedgerDatabase database) : IInvoiceStore
{
    private LedgerDialect Dialect => database.Dialect;

    public Task<Invoice?> GetAsync(string tenantId, string invoiceId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection => (await InvoiceRows.LoadAsync(connection, null, Dialect, "AND i.id = @InvoiceId", new { TenantId = tenantId, InvoiceId = invoiceId }, "", cancellationToken)).SingleOrDefault(),
            cancellationToken);

    public Task<(IReadOnlyList<Invoice> Page, int Total)> ListAsync(string tenantId, InvoiceFilter filter, CancellationToken cancellationToken) =>
        database.ReadAsync<(IReadOnlyList<Invoice>, int)>(
            async connection =>
            {
                var where = (filter.CustomerIds.Count > 0 ? $" AND {Dialect.InList("i.customer_id", "CustomerIds")}" : "")
                    + (filter.Statuses.Count > 0 ? $" AND {Dialect.InList("i.status", "Statuses")}" : "")
                    + (filter.Period is null ? "" : " AND i.billing_period = @Period");
                var parameters = new
                {
                    TenantId = tenantId,
                    CustomerIds = Dialect.List(filter.CustomerIds),
                    Statuses = Dialect.List(filter.Statuses.Select(s => s.ToString())),
                    Period = filter.Period?.ToString(),
                    Limit = (long)filter.PageSize,
                    Offset = (long)(filter.Page - 1) * filter.PageSize,
                };
                var total = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, LedgerDatabase.Command(
                    $"SELECT COUNT(*) FROM billing_invoices i WHERE i.tenant_id = @TenantId {where}", parameters, null, cancellationToken));
                var page = await InvoiceRows.LoadAsync(connection, null, Dialect, where, parameters,
                    "ORDER BY i.billing_period DESC, i.created_at DESC, i.id DESC LIMIT @Limit OFFSET @Offset", cancellationToken);
                return (page, (int)total);
            },
            cancellationToken);

    public async Task<Invoice?> VoidAsync(string tenantId, string invoiceId, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await database.WriteAsync(
            async (connection, transaction) =>
            {
                var issued = await InvoiceRows.LoadAsync(connection, transaction, Dialect, "AND i.id = @InvoiceId AND i.status = 'Issued'", new { TenantId = tenantId, InvoiceId = invoiceId }, "", cancellationToken);
                if (issued.Count == 1)
                {
                    await InvoiceRows.VoidAsync(connection, transaction, Dialect, tenantId, invoiceId, reason, null, now, cancellationToken);
                }
            },
            cancellationToken);
        return await GetAsync(tenantId, invoiceId, cancellationToken);
    }

    public Task MarkPushedAsync(string tenantId, string invoiceId, string externalId, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var updated = await Dapper.SqlMapper.ExecuteAsync(connection, LedgerDatabase.Command(
                    "UPDATE billing_invoices SET external_id = @ExternalId WHERE tenant_id = @TenantId AND id = @InvoiceId",
                    new { ExternalId = externalId, TenantId = tenantId, InvoiceId = invoiceId },
                    transaction,
                    cancellationToken));
                if (updated == 0)
                {
                    throw new KeyNotFoundException($"Tenant {tenantId} has no invoice {invoiceId}.");
                }
            },
            cancellationToken);
}
