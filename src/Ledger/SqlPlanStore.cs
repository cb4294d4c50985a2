using Dapper;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;

namespace Tally.Ledger;

/// <summary>Plan versions; phases and rate cards are kept as OpenMeter's JSON (<see cref="PlanJson"/>), which a published version never changes.</summary>
internal sealed class SqlPlanStore(LedgerDatabase database) : IPlanStore
{
    private const string Columns = "tenant_id, id, plan_key, version, name, description, metadata, currency, billing_cadence, pro_rating, phases, effective_from, effective_to, created_at, updated_at, deleted_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(Plan plan, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"INSERT INTO plan_versions ({Columns}) VALUES (@TenantId, @Id, @Key, @Version, @Name, @Description, @Metadata, @Currency, @BillingCadence, @ProRating, @Phases, @EffectiveFrom, @EffectiveTo, @CreatedAt, @UpdatedAt, @DeletedAt)",
                Parameters(plan),
                transaction,
                cancellationToken)),
            cancellationToken);

    public Task UpdateAsync(Plan plan, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                """
                UPDATE plan_versions SET name = @Name, description = @Description, metadata = @Metadata, billing_cadence = @BillingCadence,
                    pro_rating = @ProRating, phases = @Phases, effective_from = @EffectiveFrom, effective_to = @EffectiveTo,
                    updated_at = @UpdatedAt, deleted_at = @DeletedAt
                WHERE tenant_id = @TenantId AND id = @Id
                """,
                Parameters(plan),
                transaction,
                cancellationToken)),
            cancellationToken);

    public async Task<Plan?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = id }, cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<Plan>> VersionsAsync(string tenantId, string key, CancellationToken cancellationToken) =>
        QueryAsync("WHERE tenant_id = @TenantId AND plan_key = @Key", new { TenantId = tenantId, Key = key }, cancellationToken);

    public Task<IReadOnlyList<Plan>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        QueryAsync("WHERE tenant_id = @TenantId", new { TenantId = tenantId }, cancellationToken);

    private object Parameters(Plan plan) => new
    {
        plan.TenantId,
        plan.Id,
        plan.Key,
        Version = (long)plan.Version,
        plan.Name,
        plan.Description,
        Metadata = LedgerJson.Write(plan.Metadata),
        Currency = plan.Currency.Code,
        BillingCadence = plan.BillingCadence.ToString(),
        ProRating = LedgerJson.Flag(plan.ProRating),
        Phases = PlanJson.WritePhases(plan.Phases),
        EffectiveFrom = plan.EffectiveFrom is { } from ? Dialect.Instant(from) : null,
        EffectiveTo = plan.EffectiveTo is { } to ? Dialect.Instant(to) : null,
        CreatedAt = Dialect.Instant(plan.CreatedAt),
        UpdatedAt = Dialect.Instant(plan.UpdatedAt),
        DeletedAt = plan.DeletedAt is { } deleted ? Dialect.Instant(deleted) : null,
    };

    private async Task<IReadOnlyList<Plan>> QueryAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<PlanRow>(LedgerDatabase.Command($"SELECT {Columns} FROM plan_versions {where} ORDER BY plan_key, version", parameters, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(row => new Plan(
            row.TenantId,
            row.Id,
            row.PlanKey,
            (int)row.Version,
            row.Name,
            Currency.Parse(row.Currency),
            IsoDuration.Parse(row.BillingCadence),
            PlanJson.ParsePhases(row.Phases),
            Dialect.ReadInstant(row.CreatedAt))
        {
            Description = row.Description,
            Metadata = LedgerJson.Metadata(row.Metadata),
            ProRating = row.ProRating != 0,
            EffectiveFrom = row.EffectiveFrom is null ? null : Dialect.ReadInstant(row.EffectiveFrom),
            EffectiveTo = row.EffectiveTo is null ? null : Dialect.ReadInstant(row.EffectiveTo),
            UpdatedAt = Dialect.ReadInstant(row.UpdatedAt),
            DeletedAt = row.DeletedAt is null ? null : Dialect.ReadInstant(row.DeletedAt),
        })];
    }

    private sealed class PlanRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string PlanKey { get; set; } = "";

        public long Version { get; set; }

        public string Name { get; set; } = "";

        public string? Description { get; set; }

        public string? Metadata { get; set; }

        public string Currency { get; set; } = "";

        public string BillingCadence { get; set; } = "";

        public long ProRating { get; set; }

        public string Phases { get; set; } = "";

        public object? EffectiveFrom { get; set; }

        public object? EffectiveTo { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;

        public object? DeletedAt { get; set; }
    }
}
