using System.Text.Json;
using Dapper;
using Tally.Billing.Meters;

namespace Tally.Ledger;

/// <summary>Meter definitions; group_by is kept as a JSON object of name to JSONPath.</summary>
internal sealed class SqlMeterStore(LedgerDatabase database) : IMeterStore
{
    private const string Columns = "tenant_id, id, slug, description, event_type, aggregation, value_property, group_by, created_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(MeterDefinition meter, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"INSERT INTO meters ({Columns}) VALUES (@TenantId, @Id, @Slug, @Description, @EventType, @Aggregation, @ValueProperty, @GroupBy, @CreatedAt)",
                new
                {
                    meter.TenantId,
                    meter.Id,
                    meter.Slug,
                    meter.Description,
                    meter.EventType,
                    Aggregation = meter.Aggregation.ToString(),
                    meter.ValueProperty,
                    GroupBy = JsonSerializer.Serialize(meter.GroupBy),
                    CreatedAt = Dialect.Instant(meter.CreatedAt),
                },
                transaction,
                cancellationToken)),
            cancellationToken);

    public async Task<MeterDefinition?> GetAsync(string tenantId, string idOrSlug, CancellationToken cancellationToken)
    {
        var row = await database.ReadAsync(
            connection => connection.QuerySingleOrDefaultAsync<MeterRow>(LedgerDatabase.Command(
                $"SELECT {Columns} FROM meters WHERE tenant_id = @TenantId AND (id = @Value OR slug = @Value)",
                new { TenantId = tenantId, Value = idOrSlug },
                null,
                cancellationToken)),
            cancellationToken);
        return row is null ? null : ToMeter(row);
    }

    public Task<IReadOnlyList<MeterDefinition>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM meters WHERE tenant_id = @TenantId ORDER BY slug", new { TenantId = tenantId }, cancellationToken);

    // The one cross-tenant read, by contract: the aggregator folds every tenant's events.
    public Task<IReadOnlyList<MeterDefinition>> ListAllAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM meters ORDER BY tenant_id, slug", null, cancellationToken);

    public Task<bool> DeleteAsync(string tenantId, string idOrSlug, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var deleted = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "DELETE FROM meters WHERE tenant_id = @TenantId AND (id = @Value OR slug = @Value)",
                    new { TenantId = tenantId, Value = idOrSlug },
                    transaction,
                    cancellationToken));
                return (deleted > 0, true);
            },
            cancellationToken);

    private async Task<IReadOnlyList<MeterDefinition>> QueryAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<MeterRow>(LedgerDatabase.Command(sql, parameters, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(ToMeter)];
    }

    private MeterDefinition ToMeter(MeterRow row) => new(
        row.TenantId,
        row.Id,
        row.Slug,
        row.Description,
        row.EventType,
        Enum.Parse<MeterAggregation>(row.Aggregation),
        row.ValueProperty,
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.GroupBy) ?? [],
        Dialect.ReadInstant(row.CreatedAt));

    private sealed class MeterRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string Slug { get; set; } = "";

        public string? Description { get; set; }

        public string EventType { get; set; } = "";

        public string Aggregation { get; set; } = "";

        public string? ValueProperty { get; set; }

        public string GroupBy { get; set; } = "{}";

        public object CreatedAt { get; set; } = null!;
    }
}
