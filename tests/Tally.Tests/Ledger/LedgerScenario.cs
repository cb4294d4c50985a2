using Dapper;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.Billing.Pricing;
using Tally.Billing.Subscriptions;
using Xunit;

namespace Tally.Tests.Ledger;

/// <summary>Builders for ledger test data; every record is valid unless a test changes it.</summary>
internal static class LedgerScenario
{
    public static readonly BillingPeriod November = new(2026, 11);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<string> TenantAsync(TestLedger ledger, string name) => (await ledger.Tenants.CreateAsync(name, Ct)).Tenant.Id;

    public static MeterDefinition Meter(string tenantId, string slug) =>
        new(tenantId, Ids.New("mtr"), slug, "LLM tokens", "com.example.tokens", MeterAggregation.Sum, "$.tokens", new Dictionary<string, string>(), TestLedger.Now);

    public static Feature Feature(string tenantId, string key, string? meterSlug) =>
        new(tenantId, Ids.NewUlid(TestLedger.Now), key, key + " feature", meterSlug, [], null, TestLedger.Now, TestLedger.Now, null);

    /// <summary>A published plan, one phase, a unit price per unit of features <c>input</c> and <c>output</c>.</summary>
    public static Plan Plan(string tenantId, string key, decimal inputPrice, decimal outputPrice, int version = 1) =>
        new(
            tenantId,
            Ids.NewUlid(TestLedger.Now),
            key,
            version,
            "Pro",
            Currency.Usd,
            IsoDuration.Month,
            [
                new PlanPhase("default", "Default", null,
                [
                    new RateCard(RateCardType.UsageBased, "input", "Input tokens", "input", IsoDuration.Month, new UnitPrice(inputPrice)),
                    new RateCard(RateCardType.UsageBased, "output", "Output tokens", "output", IsoDuration.Month, new UnitPrice(outputPrice)),
                ]),
            ],
            TestLedger.Now)
        {
            EffectiveFrom = TestLedger.Now,
        };

    public static Customer Customer(string tenantId, string key, params string[] subjects) =>
        new(tenantId, Ids.NewUlid(TestLedger.Now), key, key + " Inc.", subjects, Currency.Usd, TestLedger.Now);

    public static Subscription Subscription(string tenantId, string customerId, Plan plan, DateTimeOffset activeFrom, DateTimeOffset? activeTo = null) =>
        new(tenantId, Ids.NewUlid(TestLedger.Now), customerId, plan.Id, plan.Key, plan.Version, plan.Name, plan.Currency, activeFrom, activeTo, TestLedger.Now);

    public static async Task<(string CustomerId, Plan Plan)> CustomerWithPlanAsync(TestLedger ledger, string tenantId, string key = "alice")
    {
        var customer = Customer(tenantId, key, key);
        var plan = Plan(tenantId, "pro_" + key, 0.002m, 0.006m);
        await ledger.Customers.CreateAsync(customer, Ct);
        await ledger.Plans.CreateAsync(plan, Ct);
        return (customer.Id, plan);
    }

    public static async Task<string> CustomerAsync(TestLedger ledger, string tenantId, string key)
    {
        var customer = Customer(tenantId, key, key);
        await ledger.Customers.CreateAsync(customer, Ct);
        return customer.Id;
    }

    /// <summary>A draft as the invoicer would hand it over: no number yet, lines priced and rounded.</summary>
    public static Invoice Draft(string tenantId, string customerId, BillingPeriod period) =>
        new(
            tenantId,
            Ids.New("inv"),
            "",
            customerId,
            period,
            Currency.Usd,
            [new InvoiceLine("input", "tokens", 1_234_567m, 0.000123456m, 152.42m), new InvoiceLine("output", "tokens", 10m, 0.5m, 5.00m)],
            157.42m,
            InvoiceStatus.Issued,
            null,
            new DateTimeOffset(2026, 12, 1, 0, 5, 0, TimeSpan.Zero));

    public static Task<IEnumerable<ApiKeyRow>> ApiKeyRowsAsync(TestLedger ledger, string tenantId) =>
        ledger.Database.ReadAsync(
            connection => connection.QueryAsync<ApiKeyRow>(
                new CommandDefinition("SELECT key_hash, prefix FROM api_keys WHERE tenant_id = @TenantId", new { TenantId = tenantId }, cancellationToken: Ct)),
            Ct);

    public static Task<long> CountAsync(TestLedger ledger, string table) =>
        ledger.Database.ReadAsync(
            connection => connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {table}", cancellationToken: Ct)),
            Ct);

    internal sealed class ApiKeyRow
    {
        public string KeyHash { get; set; } = "";

        public string Prefix { get; set; } = "";
    }
}
