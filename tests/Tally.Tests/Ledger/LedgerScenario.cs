using Dapper;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
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

    /// <summary>A draft as a close run makes it: no number yet, lines priced and rounded.</summary>
    public static Invoice Draft(string tenantId, string customerId, BillingPeriod period, string runId, InvoiceKind kind = InvoiceKind.Standard, decimal? total = null, string? corrects = null) =>
        new(
            tenantId,
            Ids.New("inv"),
            kind,
            customerId,
            period,
            period.From,
            period.To,
            Currency.Usd,
            total is { } amount
                ? [new InvoiceLine("correction", "Correction", null, null, 1m, null, amount) { Covers = period }]
                : [new InvoiceLine("input", "tokens: 1234567 x 0.000123456", "input", "tokens", 1_234_567m, 0.000123456m, 152.42m) { Detail = """{"price":{"type":"unit"}}""" },
                   new InvoiceLine("output", "tokens: 10 x 0.5", "output", "tokens", 10m, 0.5m, 5.00m)],
            total ?? 157.42m,
            InvoiceStatus.Draft,
            new DateTimeOffset(2026, 12, 1, 0, 5, 0, TimeSpan.Zero))
        {
            CloseRunId = runId,
            Corrects = corrects,
            UsageCutoff = new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero),
        };

    /// <summary>A close run of <paramref name="period"/> over the customers, its tasks due at once.</summary>
    public static async Task<CloseRun> RunAsync(TestLedger ledger, string tenantId, BillingPeriod period, IReadOnlyList<string> customerIds, CloseRunKind kind = CloseRunKind.Close, string? customerId = null)
    {
        var run = new CloseRun(tenantId, Ids.New("run"), period, kind, false, customerId, "test", "1.0.0", TestLedger.Now);
        await ledger.CloseRuns.CreateAsync(run, customerIds, TestLedger.Now, Ct);
        return run;
    }

    /// <summary>Runs a customer's task through draft and issue as a worker would, in one commit; returns the issued document.</summary>
    public static async Task<Invoice> IssueAsync(TestLedger ledger, string tenantId, string customerId, BillingPeriod period, InvoiceKind kind = InvoiceKind.Standard, decimal? total = null, CloseRunKind runKind = CloseRunKind.Close, string? corrects = null)
    {
        var run = await RunAsync(ledger, tenantId, period, [customerId], runKind, customerId);
        var task = Assert.Single(await ledger.CloseRuns.LeaseAsync(CloseStep.Freeze, 10, "test", TestLedger.Now, TimeSpan.FromMinutes(1), Ct));
        var draft = Draft(tenantId, customerId, period, run.Id, kind, total, corrects);
        await ledger.CloseRuns.CommitAsync([new CloseOutcome(task, CloseStep.Done, CloseTaskState.Done, 0, TestLedger.Now, null) { Draft = draft, Issue = true }], TestLedger.Now, Ct);
        return (await ledger.Invoices.GetAsync(tenantId, draft.Id, Ct))!;
    }

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
