using System.Text.Json;
using Dapper;
using Tally.Billing.Meters;

namespace Tally.Ledger;

/// <summary>Meter definitions; group_by is kept as a JSON object of name to JSONPath.</summary>
internal sealed class SqlMeterStore(LedgerDatabase database) : IMeterStore
{
    private const string Columns = "tenant_id, id, slug, description, event_type, aggregation, value_property, group_by, created_at, name, event_from, data_filter, metadata, updated_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(MeterDefinition meter, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"INSERT INTO meters ({Columns}) VALUES (@TenantId, @Id, @Slug, @Description, @EventType, @Aggregation, @ValueProperty, @GroupBy, @CreatedAt, @Name, @EventFrom, @DataFilter, @Metadata, @UpdatedAt)",
                Parameters(meter),
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

    public Task UpdateAsync(MeterDefinition meter, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                "UPDATE meters SET name = @Name, description = @Description, group_by = @GroupBy, metadata = @Metadata, updated_at = @UpdatedAt WHERE tenant_id = @TenantId AND id = @Id",
                Parameters(meter),
                transaction,
                cancellationToken)),
            cancellationToken);

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

    private object Parameters(MeterDefinition meter) => new
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
        meter.Name,
        EventFrom = meter.EventFrom is { } from ? Dialect.Instant(from) : null,
        DataFilter = meter.DataFilter.Count == 0 ? null : JsonSerializer.Serialize(meter.DataFilter),
        Metadata = meter.Metadata is null ? null : JsonSerializer.Serialize(meter.Metadata),
        UpdatedAt = Dialect.Instant(meter.UpdatedAt),
    };

    private MeterDefinition ToMeter(MeterRow row)
    {
        var createdAt = Dialect.ReadInstant(row.CreatedAt);
        return new MeterDefinition(
            row.TenantId,
            row.Id,
            row.Slug,
            row.Description,
            row.EventType,
            Enum.Parse<MeterAggregation>(row.Aggregation),
            row.ValueProperty,
            JsonSerializer.Deserialize<Dictionary<string, string>>(row.GroupBy) ?? [],
            createdAt)
        {
            Name = row.Name ?? row.Slug,
            EventFrom = row.EventFrom is null ? null : Dialect.ReadInstant(row.EventFrom),
            DataFilter = row.DataFilter is null ? Array.Empty<DataCondition>() : JsonSerializer.Deserialize<DataCondition[]>(row.DataFilter) ?? [],
            Metadata = row.Metadata is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(row.Metadata),
            UpdatedAt = row.UpdatedAt is null ? createdAt : Dialect.ReadInstant(row.UpdatedAt),
        };
    }

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

        public string? Name { get; set; }

        public object? EventFrom { get; set; }

        public string? DataFilter { get; set; }

        public string? Metadata { get; set; }

        public object? UpdatedAt { get; set; }
    }
}
