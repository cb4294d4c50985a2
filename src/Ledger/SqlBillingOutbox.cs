using Dapper;
using Tally.Billing.Closing;

namespace Tally.Ledger;

/// <summary>The billing events queued in <c>billing_outbox</c>; ids are time-ordered, so id order is queue order.</summary>
internal sealed class SqlBillingOutbox(LedgerDatabase database) : IBillingOutbox
{
    private const string Columns = "tenant_id, id, event_type, invoice_id, payload, created_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task<IReadOnlyList<BillingEventRecord>> UnpublishedAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM billing_outbox WHERE published_at IS NULL ORDER BY created_at, id LIMIT @Limit", new { Limit = (long)limit }, cancellationToken);

    public Task MarkPublishedAsync(IReadOnlyList<BillingEventRecord> events, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                foreach (var tenant in events.GroupBy(e => e.TenantId))
                {
                    foreach (var chunk in tenant.Select(e => e.Id).Chunk(500))
                    {
                        await connection.ExecuteAsync(LedgerDatabase.Command(
                            $"UPDATE billing_outbox SET published_at = @At WHERE tenant_id = @TenantId AND {Dialect.InList("id", "Ids")}",
                            new { At = Dialect.Instant(at), TenantId = tenant.Key, Ids = Dialect.List(chunk) },
                            transaction,
                            cancellationToken));
                    }
                }
            },
            cancellationToken);

    public Task<IReadOnlyList<BillingEventRecord>> ListAsync(string tenantId, string? after, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT {Columns} FROM billing_outbox WHERE tenant_id = @TenantId AND (@After IS NULL OR id > @After) ORDER BY id LIMIT @Limit",
            new { TenantId = tenantId, After = after, Limit = (long)limit },
            cancellationToken);

    private Task<IReadOnlyList<BillingEventRecord>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<BillingEventRecord>>(
            async connection => [.. (await connection.QueryAsync<Row>(LedgerDatabase.Command(sql, parameters, null, cancellationToken)))
                .Select(r => new BillingEventRecord(r.TenantId, r.Id, r.EventType, r.InvoiceId, r.Payload, Dialect.ReadInstant(r.CreatedAt)))],
            cancellationToken);

    private sealed class Row
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string EventType { get; set; } = "";

        public string? InvoiceId { get; set; }

        public string Payload { get; set; } = "";

        public object CreatedAt { get; set; } = null!;
    }
}
