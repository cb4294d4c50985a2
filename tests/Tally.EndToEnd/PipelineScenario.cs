using System.Globalization;
using System.Net;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Tenants;

namespace Tally.EndToEnd;

/// <summary>
/// Steps 1-6 of the walking skeleton against running Tally endpoints: tenant, meter, plan,
/// customer and subscription; events; meter query; live charges; period close; invoices; and the
/// tenant-isolation and bad-input checks along the way.
/// </summary>
public sealed class PipelineScenario(PipelineApi api, string adminToken, DateTimeOffset now)
{
    private readonly BillingPeriod _current = BillingPeriod.Containing(now);

    public BillingPeriod Previous => BillingPeriod.Containing(_current.From.AddDays(-1));

    public string AcmeKey { get; private set; } = "";

    public string GlobexKey { get; private set; } = "";

    /// <summary>Tenant, meter, plan, customer, subscription; then events. Returns once every post was acknowledged.</summary>
    public async Task SetUpAndIngestAsync()
    {
        AcmeKey = await api.CreateTenantAsync(adminToken, "Acme");
        GlobexKey = await api.CreateTenantAsync(adminToken, "Globex");
        Assert.NotEqual(AcmeKey, GlobexKey);

        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", AcmeKey,
            new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" } });
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", AcmeKey, new { key = "tokens", name = "Tokens", meterSlug = "tokens" });
        var plan = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", AcmeKey, CatalogBodies.UnitPricePlan("pro", "tokens", "0.002"));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{plan.GetProperty("id").GetString()}/publish", AcmeKey);
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", AcmeKey, new { key = "cust-1", name = "Customer One" });
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", AcmeKey,
            new { customerKey = "cust-1", plan = new { key = "pro" }, timing = Previous.From });

        // Previous period: 100 + 250 + 50 = 400 tokens for cust-1; 999 for an unsubscribed subject.
        var previous = Previous.From.AddDays(3);
        var batch = "[" + string.Join(",",
            PipelineApi.Event("p1", "cust-1", previous, 100),
            PipelineApi.Event("p2", "cust-1", previous.AddMinutes(1), 250, model: "large"),
            PipelineApi.Event("p3", "cust-1", previous.AddDays(10), 50),
            PipelineApi.Event("p4", "cust-9", previous, 999),
            PipelineApi.Event("p5", "cust-1", previous, 5000, type: "other")) + "]";
        await ExpectNoContentAsync(AcmeKey, "application/cloudevents-batch+json", batch);

        // Current period: 1000 + 234 = 1234 tokens, one event at a time.
        var current = now.AddMinutes(-1) < _current.From ? _current.From : now.AddMinutes(-1);
        await ExpectNoContentAsync(AcmeKey, "application/cloudevents+json", PipelineApi.Event("c1", "cust-1", current, 1000));
        await ExpectNoContentAsync(AcmeKey, "application/cloudevents+json", PipelineApi.Event("c2", "cust-1", current, 234));

        // Globex sends the same event type for the same subject name: it must never reach Acme's usage.
        await ExpectNoContentAsync(GlobexKey, "application/cloudevents+json", PipelineApi.Event("g1", "cust-1", current, 77777));
    }

    /// <summary>Acme's total tokens of cust-1 over both periods once everything is aggregated.</summary>
    public const decimal ExpectedTotalTokens = 1634m;

    public async Task<decimal> TotalTokensAsync()
    {
        var body = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get,
            $"/api/v1/meters/tokens/query?subject=cust-1&from={Iso(Previous.From)}&to={Iso(_current.To)}", AcmeKey);
        return body.GetProperty("data").EnumerateArray().Sum(value => value.GetProperty("value").GetDecimal());
    }

    /// <summary>
    /// Checks the meter query, live charges, isolation and bad input, then starts the previous period's
    /// close twice with <paramref name="close"/> (the second is refused: one close per period), waits
    /// for the run and checks the one invoice it issued.
    /// </summary>
    public async Task VerifyAsync(Func<BillingPeriod, Task> close)
    {
        await VerifyMeterQueryAsync();
        await VerifyChargesAsync();
        await VerifyIsolationAsync();
        await VerifyBadInputAsync();

        await close(Previous);
        await close(Previous);
        var runs = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs?period={Previous}", AcmeKey);
        var run = Assert.Single(runs.GetProperty("items").EnumerateArray());
        await Eventually.EqualsAsync("completed", async () =>
            (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{run.GetProperty("id").GetString()}", AcmeKey)).GetProperty("status").GetString(),
            TimeSpan.FromSeconds(60));

        var invoices = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices?expand=lines", AcmeKey);
        var invoice = Assert.Single(invoices.GetProperty("items").EnumerateArray());
        Assert.Equal(
            ("INV-000001", "0.80", "USD", "issued", JsonValueKind.Null),
            (invoice.GetProperty("number").GetString(), invoice.GetProperty("totals").GetProperty("total").GetString(), invoice.GetProperty("currency").GetString(),
             invoice.GetProperty("status").GetString(), invoice.GetProperty("externalIds").GetProperty("invoicing").ValueKind));
        var line = Assert.Single(invoice.GetProperty("lines").EnumerateArray());
        Assert.Equal(
            ("400", """{"featureKey":"tokens","price":{"type":"unit","amount":"0.002"}}""", "0.80"),
            (line.GetProperty("quantity").GetString(), line.GetProperty("rateCard").GetRawText(), line.GetProperty("totals").GetProperty("total").GetString()));

        var globexInvoices = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices", GlobexKey);
        Assert.Equal(0, globexInvoices.GetProperty("totalCount").GetInt32());
    }

    private async Task VerifyMeterQueryAsync()
    {
        var byModel = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get,
            $"/api/v1/meters/tokens/query?subject=cust-1&groupBy=model&from={Iso(Previous.From)}&to={Iso(Previous.To)}", AcmeKey);
        var values = byModel.GetProperty("data").EnumerateArray()
            .Select(v => (Model: v.GetProperty("groupBy").GetProperty("model").GetString(), Value: v.GetProperty("value").GetDecimal(), Subject: v.GetProperty("subject").GetString()))
            .OrderBy(v => v.Model)
            .ToList();
        Assert.Equal([("large", 250m, "cust-1"), ("small", 150m, "cust-1")], values);

        var daily = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get,
            $"/api/v1/meters/tokens/query?windowSize=DAY&from={Iso(Previous.From)}&to={Iso(Previous.To)}", AcmeKey);
        Assert.Equal("DAY", daily.GetProperty("windowSize").GetString());
        var days = daily.GetProperty("data").EnumerateArray()
            .Select(v => (Start: v.GetProperty("windowStart").GetDateTime(), Value: v.GetProperty("value").GetDecimal()))
            .ToList();
        var day = Previous.From.AddDays(3).UtcDateTime;
        Assert.Equal([(day, 1349m), (day.AddDays(10), 50m)], days);

        // No from/to: one value whose window is the data's own range (cust-9 has one event, at day 3 00:00).
        var open = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query?subject=cust-9", AcmeKey);
        var only = Assert.Single(open.GetProperty("data").EnumerateArray());
        Assert.Equal(
            (day, day.AddMinutes(1), 999m, "cust-9"),
            (only.GetProperty("windowStart").GetDateTime(), only.GetProperty("windowEnd").GetDateTime(), only.GetProperty("value").GetDecimal(), only.GetProperty("subject").GetString()));
        Assert.False(open.TryGetProperty("from", out _), "an open query echoes no from, as OpenMeter omits it");
    }

    private async Task VerifyChargesAsync()
    {
        // The live bill is the customer's gathering invoice; usage reaches its grain as deltas.
        await Eventually.EqualsAsync(
            "2.47",
            async () => (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/cust-1/charges", AcmeKey)).GetProperty("totals").GetProperty("total").GetString(),
            TimeSpan.FromSeconds(60));
        var charges = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/cust-1/charges", AcmeKey);
        Assert.Equal(("USD", "gathering"), (charges.GetProperty("currency").GetString(), charges.GetProperty("status").GetString()));
        var line = Assert.Single(charges.GetProperty("lines").EnumerateArray());
        Assert.Equal(("1234", "2.47"), (line.GetProperty("quantity").GetString(), line.GetProperty("totals").GetProperty("amount").GetString()));
    }

    private async Task VerifyIsolationAsync()
    {
        await api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v1/meters/tokens", GlobexKey);
        await api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v1/meters/tokens/query", GlobexKey);
        await api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v1/customers/cust-1/charges", GlobexKey);
        await api.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Delete, "/api/v1/meters/tokens", GlobexKey);
        var globexMeters = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters", GlobexKey);
        Assert.Equal(0, globexMeters.GetArrayLength());
        await api.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Post, "/api/admin/tenants", AcmeKey, new { name = "sneaky" });
        await api.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/meters", "tly_not-a-key");
        Assert.Equal(ExpectedTotalTokens, await TotalTokensAsync());
    }

    private async Task VerifyBadInputAsync()
    {
        var (status, problem) = await api.PostEventsAsync(AcmeKey, "application/cloudevents+json", """{"specversion":"1.0","id":"x","source":"s","type":"prompt"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("subject", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.StartsWith("subject: is required", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var meter = await api.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/meters", AcmeKey,
            new { slug = "Bad Slug", eventType = "prompt", aggregation = "MEDIAN" });
        Assert.Equal(["slug", "aggregation"], meter.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        var conflict = await api.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v1/meters", AcmeKey,
            new { slug = "tokens", eventType = "prompt", aggregation = "COUNT" });
        Assert.Equal("slug", conflict.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.StartsWith("slug: ", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var query = await api.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/v1/meters/tokens/query?windowSize=WEEK", AcmeKey);
        Assert.Equal("windowSize", query.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(ExpectedTotalTokens, await TotalTokensAsync());
    }

    private async Task ExpectNoContentAsync(string key, string contentType, string body)
    {
        var (status, problem) = await api.PostEventsAsync(key, contentType, body);
        Assert.True(status == HttpStatusCode.NoContent, $"ingest answered {(int)status}: {problem}");
    }

    private static string Iso(DateTimeOffset instant) =>
        Uri.EscapeDataString(instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
}
