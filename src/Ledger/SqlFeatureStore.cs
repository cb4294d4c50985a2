using Dapper;
using Tally.Billing.Catalog;
using Tally.Billing.Meters;

namespace Tally.Ledger;

/// <summary>Features; filters are kept as a JSON list of (groupBy, operator, values).</summary>
internal sealed class SqlFeatureStore(LedgerDatabase database) : IFeatureStore
{
    private const string Columns = "tenant_id, id, feature_key, name, meter_slug, filters, metadata, created_at, updated_at, archived_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(Feature feature, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"INSERT INTO features ({Columns}) VALUES (@TenantId, @Id, @Key, @Name, @MeterSlug, @Filters, @Metadata, @CreatedAt, @UpdatedAt, NULL)",
                new
                {
                    feature.TenantId,
                    feature.Id,
                    feature.Key,
                    feature.Name,
                    feature.MeterSlug,
                    Filters = LedgerJson.Write(feature.Filters.Select(f => new FilterRow(f.GroupBy, f.Operator.ToString(), [.. f.Values])).ToList()),
                    Metadata = LedgerJson.Write(feature.Metadata),
                    CreatedAt = Dialect.Instant(feature.CreatedAt),
                    UpdatedAt = Dialect.Instant(feature.UpdatedAt),
                },
                transaction,
                cancellationToken)),
            cancellationToken);

    public async Task<Feature?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(
            "WHERE tenant_id = @TenantId AND (id = @Value OR (feature_key = @Value AND archived_at IS NULL))",
            new { TenantId = tenantId, Value = idOrKey },
            cancellationToken);
        return rows.FirstOrDefault(f => f.Id == idOrKey) ?? rows.FirstOrDefault();
    }

    public Task<IReadOnlyList<Feature>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        QueryAsync("WHERE tenant_id = @TenantId", new { TenantId = tenantId }, cancellationToken);

    public Task<bool> ArchiveAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE features SET archived_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND id = @Id AND archived_at IS NULL",
                    new { TenantId = tenantId, Id = id, At = Dialect.Instant(at) },
                    transaction,
                    cancellationToken));
                return (changed > 0, true);
            },
            cancellationToken);

    private async Task<IReadOnlyList<Feature>> QueryAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<FeatureRow>(LedgerDatabase.Command($"SELECT {Columns} FROM features {where} ORDER BY feature_key, created_at", parameters, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(row => new Feature(
            row.TenantId,
            row.Id,
            row.FeatureKey,
            row.Name,
            row.MeterSlug,
            [.. (LedgerJson.Read<List<FilterRow>>(row.Filters) ?? []).Select(f => new FeatureFilter(f.GroupBy, Enum.Parse<DataOperator>(f.Operator), f.Values))],
            LedgerJson.Metadata(row.Metadata),
            Dialect.ReadInstant(row.CreatedAt),
            Dialect.ReadInstant(row.UpdatedAt),
            row.ArchivedAt is null ? null : Dialect.ReadInstant(row.ArchivedAt)))];
    }

    private sealed record FilterRow(string GroupBy, string Operator, List<string> Values);

    private sealed class FeatureRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string FeatureKey { get; set; } = "";

        public string Name { get; set; } = "";

        public string? MeterSlug { get; set; }

        public string Filters { get; set; } = "";

        public string? Metadata { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;

        public object? ArchivedAt { get; set; }
    }
}
