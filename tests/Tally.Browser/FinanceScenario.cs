using System.Globalization;
using System.Net;
using System.Text.Json;
using Tally.EndToEnd;

namespace Tally.Browser;

/// <summary>
/// A tenant with a closed-able past period, set up through the API: meter and feature <c>tokens</c>, plan
/// <c>pro</c> (10 USD a token) and <c>pro_eur</c> (9 EUR), customers Acme Corp (150 tokens: 1,500.00, held
/// for approval), Globex (120: 1,200.00, held) and Initech (30: 300.00, issued at once), each paying in USD
/// and subscribed to <c>pro</c> since the start of the closed period (May 2026), with their events in its middle.
/// </summary>
public sealed class FinanceScenario(DashboardServer server, string key)
{
    public string Key { get; } = key;

    /// <summary>
    /// The period the tests close: May 2026, the month before <see cref="DashboardServer.Now"/> (so the console's
    /// "last month"), long ended by the server's real clock, which the close checks. Nothing reads the wall clock.
    /// </summary>
    public static DateTimeOffset PeriodStart { get; } = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    public const string Period = "2026-05";

    public IReadOnlyDictionary<string, string> CustomerIds { get; private set; } = new Dictionary<string, string>();

    public static async Task<FinanceScenario> CreateAsync(DashboardServer server, string name)
    {
        var scenario = new FinanceScenario(server, await server.CreateTenantAsync(name));
        await scenario.CatalogAsync();
        return scenario;
    }

    /// <summary>The three customers on <c>pro</c> with their usage of the period, stored before this returns.</summary>
    public async Task WithCustomersAsync()
    {
        var ids = new Dictionary<string, string>();
        foreach (var (customerKey, customerName) in new[] { ("acme", "Acme Corp"), ("globex", "Globex"), ("initech", "Initech") })
        {
            ids[customerKey] = await SubscribedCustomerAsync(customerKey, customerName, "pro");
        }

        CustomerIds = ids;
        await PostAndWaitAsync(("acme-1", "acme", 100), ("acme-2", "acme", 50), ("globex-1", "globex", 120), ("initech-1", "initech", 10), ("initech-2", "initech", 20));
    }

    public async Task<string> SubscribedCustomerAsync(string customerKey, string customerName, string plan)
    {
        var customer = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", Key, new { key = customerKey, name = customerName, currency = "USD" });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", Key, new { customerKey, plan = new { key = plan }, timing = PeriodStart });
        return customer.GetProperty("id").GetString()!;
    }

    /// <summary>Posts events of the period (id, subject, tokens) and waits until they are stored.</summary>
    public async Task PostAndWaitAsync(params (string Id, string Subject, long Tokens)[] events)
    {
        var middle = PeriodStart.AddDays(14).AddHours(12);
        await server.PostEventsAsync(Key, events.Select((e, i) => (object)new
        {
            specversion = "1.0",
            id = e.Id,
            source = "finance-test",
            type = "prompt",
            subject = e.Subject,
            time = middle.AddSeconds(i).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            data = new { tokens = e.Tokens },
        }));
        var from = Uri.EscapeDataString(PeriodStart.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        await Eventually.EqualsAsync(events.Length, async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/events?from={from}", Key)).GetArrayLength(), TimeSpan.FromSeconds(60));
    }

    public async Task<JsonElement[]> InvoicesAsync() =>
        [.. (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices", Key)).GetProperty("items").EnumerateArray()];

    private async Task CatalogAsync()
    {
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", Key, new { slug = "tokens", name = "Tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", Key, new { key = "tokens", name = "Tokens", meterSlug = "tokens" });
        await PublishAsync(CatalogBodies.UnitPricePlan("pro", "tokens", "10"));
        await PublishAsync(CatalogBodies.UnitPricePlan("pro_eur", "tokens", "9", "EUR"));
    }

    public async Task PublishAsync(object plan)
    {
        var created = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", Key, plan);
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{created.GetProperty("id").GetString()}/publish", Key);
    }
}
