using Dapper;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.Billing.Tenants;
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

    public static Plan Plan(string tenantId, string key, decimal inputPrice, decimal outputPrice) =>
        new(tenantId, Ids.New("pln"), key, "Pro", Currency.Usd, [new RateCard("input", "tokens", inputPrice), new RateCard("output", "tokens", outputPrice)], TestLedger.Now);

    public static Customer Customer(string tenantId, string key, params string[] subjects) =>
        new(tenantId, Ids.New("cus"), key, key + " Inc.", subjects, Currency.Usd, TestLedger.Now);

    public static Subscription Subscription(string tenantId, string customerId, string planId, DateTimeOffset activeFrom) =>
        new(tenantId, Ids.New("sub"), customerId, planId, activeFrom, TestLedger.Now);

    public static async Task<(string CustomerId, string PlanId)> CustomerWithPlanAsync(TestLedger ledger, string tenantId, string key = "alice")
    {
        var customer = Customer(tenantId, key, key);
        var plan = Plan(tenantId, "pro-" + key, 0.002m, 0.006m);
        await ledger.Customers.CreateAsync(customer, Ct);
        await ledger.Plans.CreateAsync(plan, Ct);
        return (customer.Id, plan.Id);
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
