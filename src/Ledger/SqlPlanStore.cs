using Dapper;
using Tally.Billing;
using Tally.Billing.Catalog;

namespace Tally.Ledger;

/// <summary>Plans with their rate cards, written together in one transaction.</summary>
internal sealed class SqlPlanStore(LedgerDatabase database) : IPlanStore
{
    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(Plan plan, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "INSERT INTO plans (tenant_id, id, plan_key, name, currency, created_at) VALUES (@TenantId, @Id, @Key, @Name, @Currency, @CreatedAt)",
                    new { plan.TenantId, plan.Id, plan.Key, plan.Name, Currency = plan.Currency.Code, CreatedAt = Dialect.Instant(plan.CreatedAt) },
                    transaction,
                    cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "INSERT INTO rate_cards (tenant_id, plan_id, ordinal, rate_card_key, meter_slug, unit_price) VALUES (@TenantId, @PlanId, @Ordinal, @Key, @MeterSlug, @UnitPrice)",
                    plan.RateCards.Select((card, i) => new
                    {
                        plan.TenantId,
                        PlanId = plan.Id,
                        Ordinal = (long)i,
                        card.Key,
                        card.MeterSlug,
                        UnitPrice = Dialect.Decimal(card.UnitPrice),
                    }),
                    transaction,
                    cancellationToken));
            },
            cancellationToken);

    public async Task<Plan?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken)
    {
        var plans = await QueryAsync("AND (p.id = @Value OR p.plan_key = @Value)", new { TenantId = tenantId, Value = idOrKey }, cancellationToken);
        return plans.Count == 0 ? null : plans[0];
    }

    public Task<IReadOnlyList<Plan>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        QueryAsync("", new { TenantId = tenantId }, cancellationToken);

    private Task<IReadOnlyList<Plan>> QueryAsync(string filter, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Plan>>(
            async connection =>
            {
                var plans = await connection.QueryAsync<PlanRow>(LedgerDatabase.Command(
                    $"SELECT p.tenant_id, p.id, p.plan_key, p.name, p.currency, p.created_at FROM plans p WHERE p.tenant_id = @TenantId {filter} ORDER BY p.plan_key",
                    parameters,
                    null,
                    cancellationToken));
                var cards = (await connection.QueryAsync<RateCardRow>(LedgerDatabase.Command(
                    $"SELECT r.plan_id, r.rate_card_key, r.meter_slug, r.unit_price FROM rate_cards r JOIN plans p ON p.tenant_id = r.tenant_id AND p.id = r.plan_id WHERE r.tenant_id = @TenantId {filter} ORDER BY r.plan_id, r.ordinal",
                    parameters,
                    null,
                    cancellationToken))).ToLookup(r => r.PlanId);
                return [.. plans.Select(p => new Plan(
                    p.TenantId,
                    p.Id,
                    p.PlanKey,
                    p.Name,
                    Currency.Parse(p.Currency),
                    [.. cards[p.Id].Select(r => new RateCard(r.RateCardKey, r.MeterSlug, Dialect.ReadDecimal(r.UnitPrice)))],
                    Dialect.ReadInstant(p.CreatedAt)))];
            },
            cancellationToken);

    private sealed class PlanRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string PlanKey { get; set; } = "";

        public string Name { get; set; } = "";

        public string Currency { get; set; } = "";

        public object CreatedAt { get; set; } = null!;
    }

    private sealed class RateCardRow
    {
        public string PlanId { get; set; } = "";

        public string RateCardKey { get; set; } = "";

        public string MeterSlug { get; set; } = "";

        public object UnitPrice { get; set; } = null!;
    }
}
