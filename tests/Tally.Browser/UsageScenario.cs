using System.Net;
using Tally.EndToEnd;

namespace Tally.Browser;

/// <summary>
/// One tenant's small world: meters <c>tokens</c> (SUM by model) and <c>calls</c> (COUNT), customers
/// <c>cust-a</c> (subscribed to a plan) and <c>cust-b</c>, and usage of both customers in the last hour.
/// </summary>
public sealed class UsageScenario(DashboardServer server, string key)
{
    public const int TokensA = 300;
    public const int TokensB = 4000;

    public string Key { get; } = key;

    public static async Task<UsageScenario> CreateAsync(DashboardServer server, string name)
    {
        var scenario = new UsageScenario(server, await server.CreateTenantAsync(name));
        await scenario.SetUpAsync();
        return scenario;
    }

    public async Task SetUpAsync()
    {
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", Key, new
        {
            slug = "tokens", name = "LLM tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" },
        });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", Key, new { slug = "calls", name = "Calls", eventType = "prompt", aggregation = "COUNT" });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", Key, new { key = "tokens", name = "Tokens", meterSlug = "tokens" });
        var plan = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", Key, CatalogBodies.UnitPricePlan("pro", "tokens", "0.002"));
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{plan.GetProperty("id").GetString()}/publish", Key);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", Key, new { key = "cust-a", name = "Customer A" });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", Key, new { key = "cust-b", name = "Customer B" });
        var now = DashboardServer.Now;
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", Key, new
        {
            customerKey = "cust-a", plan = new { key = "pro" }, timing = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero),
        });
        await PostAndWaitAsync(("cust-a", 100, "small", now.AddMinutes(-30)), ("cust-a", 200, "large", now.AddMinutes(-20)), ("cust-b", 4000, "large", now.AddMinutes(-10)));
    }

    public static object Event(string subject, int tokens, string model, DateTimeOffset time) => new
    {
        specversion = "1.0",
        id = Guid.NewGuid().ToString(),
        source = "browser-test",
        type = "prompt",
        subject,
        time = time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        data = new { tokens, model },
    };

    /// <summary>Posts events and waits until the API counts them (for set-up, not for what the page shows).</summary>
    public async Task PostAndWaitAsync(params (string Subject, int Tokens, string Model, DateTimeOffset Time)[] events)
    {
        var before = await TotalAsync();
        await server.PostEventsAsync(Key, events.Select(e => Event(e.Subject, e.Tokens, e.Model, e.Time)));
        await Tally.EndToEnd.Eventually.EqualsAsync(before + events.Sum(e => e.Tokens), TotalAsync, TimeSpan.FromSeconds(60));
    }

    public async Task<decimal> TotalAsync()
    {
        var result = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query", Key);
        return result.GetProperty("data").EnumerateArray().Sum(row => row.GetProperty("value").GetDecimal());
    }
}
