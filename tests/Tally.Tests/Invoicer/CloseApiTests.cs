using System.Globalization;
using System.Net;
using System.Text.Json;
using Tally.EndToEnd;
using Tally.Tests.Hosting;
using Tally.Tests.Rating.Api;

namespace Tally.Tests.Invoicer;

/// <summary>
/// Period close through the HTTP API of a whole server on embedded defaults (grace 0, approval above
/// 1000): close runs, OpenMeter's invoice routes and actions, the explanation of an invoice, and an
/// admin close over all tenants that one tenant's failure does not stop.
/// </summary>
public sealed class CloseApiTests(TallyServerFixture server) : IClassFixture<TallyServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Close_ThroughTheApi_IssuesAnInvoiceInOpenMetersShapeExplainsItAndVoidsIt()
    {
        var key = await TenantWithCustomerAsync("close-api", unitPrice: 0.01m, """{"tokens":100}""", """{"tokens":200}""", """{"tokens":1}""");

        var started = await server.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/billing/close-runs", key, new { period = "2026-10" });
        var runId = started.GetProperty("id").GetString()!;
        await Eventually.EqualsAsync("completed", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", key)).GetProperty("status").GetString(), Patience);
        var list = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices?expand=lines", key);
        var invoice = Assert.Single(list.GetProperty("items").EnumerateArray());
        var id = invoice.GetProperty("id").GetString()!;
        var explained = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/invoices/{id}/explain", key);
        var intruder = await server.CreateTenantAsync("close-api intruder");
        var (_, metrics) = await server.SendAsync(HttpMethod.Get, "/metrics", "", null);

        Assert.Matches("tally_close_tasks_finished_total\\{[^}]*outcome=\"done\"[^}]*\\} [1-9]", metrics.GetString());
        Assert.Equal((1, 1, 100), (list.GetProperty("totalCount").GetInt32(), list.GetProperty("page").GetInt32(), list.GetProperty("pageSize").GetInt32()));
        Assert.Equal(
            ("standard", "INV-000001", "issued", "issued", "3.01", "USD", "acme", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"),
            (invoice.GetProperty("type").GetString(), invoice.GetProperty("number").GetString(), invoice.GetProperty("status").GetString(),
             invoice.GetProperty("statusDetails").GetProperty("extendedStatus").GetString(), invoice.GetProperty("totals").GetProperty("total").GetString(),
             invoice.GetProperty("currency").GetString(), invoice.GetProperty("customer").GetProperty("key").GetString(),
             invoice.GetProperty("period").GetProperty("from").GetString(), invoice.GetProperty("period").GetProperty("to").GetString()));
        var line = Assert.Single(invoice.GetProperty("lines").EnumerateArray());
        Assert.Equal(("tokens", "301", "0.01", "3.01"), (line.GetProperty("name").GetString(), line.GetProperty("quantity").GetString(),
            line.GetProperty("rateCard").GetProperty("price").GetProperty("amount").GetString(), line.GetProperty("totals").GetProperty("total").GetString()));
        var explainedLine = Assert.Single(explained.GetProperty("lines").EnumerateArray());
        Assert.Equal((3L, "301"), (explainedLine.GetProperty("rawEvents").GetProperty("count").GetInt64(), explainedLine.GetProperty("frozenUsage")[0].GetProperty("quantity").GetString()));
        Assert.StartsWith("pro@", explained.GetProperty("planVersion").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            ["usage frozen", "rated", "checks passed", "approved automatically", "issued"],
            explained.GetProperty("history").EnumerateArray().Where(h => h.GetProperty("customerId").ValueKind == JsonValueKind.String).Select(h => h.GetProperty("outcome").GetString()));
        var listed = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, explainedLine.GetProperty("rawEvents").GetProperty("list").GetString()!, key);
        Assert.Equal(3, listed.GetArrayLength());
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v1/billing/invoices/{id}", intruder);
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v1/billing/invoices/{id}/explain", intruder);
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Post, $"/api/v1/billing/invoices/{id}/void", intruder, new { reason = "evil" });

        var noReason = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, $"/api/v1/billing/invoices/{id}/void", key, new { reason = "" });
        var voided = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/billing/invoices/{id}/void", key, new { reason = "issued to the wrong customer" });
        var again = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/billing/invoices/{id}/void", key, new { reason = "twice" });
        var approve = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/billing/invoices/{id}/approve", key);
        var secondClose = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v1/billing/close-runs", key, new { period = "2026-10" });

        var events = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/events", key);
        var page = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/events?after={events[0].GetProperty("id").GetString()}", key);

        Assert.Equal(
            [("invoice.issued", id, "INV-000001", "3.01"), ("invoice.voided", id, null, null)],
            events.EnumerateArray().Select(e => (e.GetProperty("type").GetString(), e.GetProperty("invoiceId").GetString(),
                e.GetProperty("data").TryGetProperty("number", out var n) ? n.GetString() : null, e.GetProperty("data").TryGetProperty("total", out var t) ? t.GetString() : null)));
        Assert.Equal(["invoice.voided"], page.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/events", intruder)).GetArrayLength());
        Assert.Equal("reason", noReason.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(("voided", "INV-000001"), (voided.GetProperty("status").GetString(), voided.GetProperty("number").GetString()));
        Assert.Equal(("status", "status", "period"), (again.GetProperty("errors")[0].GetProperty("field").GetString(), approve.GetProperty("errors")[0].GetProperty("field").GetString(), secondClose.GetProperty("errors")[0].GetProperty("field").GetString()));
    }

    [Fact]
    public async Task Close_TieredLine_ShowsTheFullTieredPriceItWasRatedWithAsTheLinesRateCard()
    {
        const string Tiered = """{"type":"tiered","mode":"graduated","tiers":[{"upToAmount":"100","flatPrice":null,"unitPrice":{"type":"unit","amount":"0"}},{"flatPrice":{"type":"flat","amount":"5"},"unitPrice":{"type":"unit","amount":"0.01"}}],"minimumAmount":"1"}""";
        var key = await TenantWithCustomerAsync("close-tiered", Tiered, """{"tokens":150}""");

        var runId = (await server.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/billing/close-runs", key, new { period = "2026-10" })).GetProperty("id").GetString()!;
        await Eventually.EqualsAsync("completed", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", key)).GetProperty("status").GetString(), Patience);
        var invoice = Assert.Single((await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices?expand=lines", key)).GetProperty("items").EnumerateArray());
        var line = Assert.Single(invoice.GetProperty("lines").EnumerateArray());

        // 100 free, 50 at 0.01 and the second tier's flat 5.
        Assert.Equal(("150", "5.50", "tokens"), (line.GetProperty("quantity").GetString(), line.GetProperty("totals").GetProperty("total").GetString(), line.GetProperty("featureKey").GetString()));
        Assert.Equal("""{"featureKey":"tokens","price":""" + Tiered + "}", line.GetProperty("rateCard").GetRawText());
    }

    [Fact]
    public async Task Close_InvoiceAboveTheApprovalThreshold_WaitsUntilApprovedThroughTheApi()
    {
        var key = await TenantWithCustomerAsync("close-approval", unitPrice: 10m, """{"tokens":150}""");

        var runId = (await server.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/billing/close-runs", key, new { period = "2026-10" })).GetProperty("id").GetString()!;
        await Eventually.EqualsAsync("needs_attention", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", key)).GetProperty("status").GetString(), Patience);
        var waiting = Assert.Single((await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices?statuses=draft", key)).GetProperty("items").EnumerateArray());
        var id = waiting.GetProperty("id").GetString()!;
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/billing/invoices/{id}/approve", key);
        await Eventually.EqualsAsync("completed", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", key)).GetProperty("status").GetString(), Patience);
        var issued = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/invoices/{id}", key);

        Assert.Equal(("draft", "draft.manual_approval_needed", JsonValueKind.Null, "issued"),
            (waiting.GetProperty("status").GetString(), waiting.GetProperty("statusDetails").GetProperty("extendedStatus").GetString(),
             waiting.GetProperty("number").ValueKind, waiting.GetProperty("statusDetails").GetProperty("availableActions").GetProperty("approve").GetProperty("resultingState").GetString()));
        Assert.Equal(("issued", "INV-000001", "1500.00"), (issued.GetProperty("status").GetString(), issued.GetProperty("number").GetString(), issued.GetProperty("totals").GetProperty("total").GetString()));
    }

    [Fact]
    public async Task AdminClose_OneTenantsRatingOverflows_TheOtherTenantClosesAndTheOverflowIsParkedWithItsError()
    {
        var fine = await TenantWithCustomerAsync("close-admin fine", unitPrice: 0.5m, """{"tokens":4}""");
        var huge = await TenantWithCustomerAsync("close-admin huge", unitPrice: 100_000_000_000_000_000_000m, """{"tokens":10000000000}""");
        var tenants = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", TallyServerFixture.AdminToken)).EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("id").GetString()!);

        var started = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/admin/close-runs", TallyServerFixture.AdminToken, new { period = "2026-09" });
        var runs = started.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("tenantId").GetString()!, r => r.GetProperty("id").GetString()!);
        await Eventually.EqualsAsync("completed", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runs[tenants["close-admin fine"]]}", fine)).GetProperty("status").GetString(), Patience);
        await Eventually.EqualsAsync("needs_attention", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runs[tenants["close-admin huge"]]}", huge)).GetProperty("status").GetString(), Patience);
        var parked = Assert.Single((await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runs[tenants["close-admin huge"]]}/tasks", huge)).EnumerateArray());

        Assert.Equal("2.00", Assert.Single((await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices", fine)).GetProperty("items").EnumerateArray()).GetProperty("totals").GetProperty("total").GetString());
        Assert.Equal(("draft", "parked"), (parked.GetProperty("step").GetString(), parked.GetProperty("state").GetString()));
        Assert.StartsWith("RatingOverflowException", parked.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices", huge)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Close_WithAnInvoiceCreatedRule_PostsTheIssuedInvoiceAsTheInvoiceRouteShowsIt()
    {
        await using var listener = await WebhookListener.StartAsync();
        var key = await TenantWithCustomerAsync("close-webhook", unitPrice: 0.02m, """{"tokens":50}""");
        var channel = (await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/notification/channels", key, new { type = "WEBHOOK", name = "finance", url = listener.Url }))
            .GetProperty("id").GetString()!;
        var withThresholds = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/notification/rules", key,
            new { type = "invoice.created", name = "invoices", channels = new[] { channel }, thresholds = new[] { new { value = 1, type = "usage_value" } } });
        var unknown = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/notification/rules", key, new { type = "invoice.paid", name = "paid", channels = new[] { channel } });
        var rule = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/notification/rules", key, new { type = "invoice.created", name = "invoices", channels = new[] { channel } });
        var retyped = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, $"/api/v1/notification/rules/{rule.GetProperty("id").GetString()}", key,
            new { type = "invoice.updated", name = "invoices", channels = new[] { channel } });

        var runId = (await server.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/billing/close-runs", key, new { period = "2026-10" })).GetProperty("id").GetString()!;
        await Eventually.EqualsAsync("completed", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/close-runs/{runId}", key)).GetProperty("status").GetString(), Patience);
        var webhook = await listener.NextAsync(Patience);
        using var payload = JsonDocument.Parse(webhook.Body);
        var invoice = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/billing/invoices/{payload.RootElement.GetProperty("data").GetProperty("id").GetString()}", key);
        await Eventually.EqualsAsync("SUCCESS", async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/notification/events", key))
            .GetProperty("items")[0].GetProperty("deliveryStatus")[0].GetProperty("state").GetString(), Patience);
        var listed = Assert.Single((await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/notification/events", key)).GetProperty("items").EnumerateArray());

        Assert.Equal(("thresholds", "type", "type"), (withThresholds.GetProperty("errors")[0].GetProperty("field").GetString(), unknown.GetProperty("errors")[0].GetProperty("field").GetString(), retyped.GetProperty("errors")[0].GetProperty("field").GetString()));
        Assert.Equal(("invoice.created", false, channel), (rule.GetProperty("type").GetString(), rule.TryGetProperty("thresholds", out _), rule.GetProperty("channels")[0].GetProperty("id").GetString()));
        Assert.Equal((webhook.Headers["webhook-id"], "invoice.created"), (payload.RootElement.GetProperty("id").GetString(), payload.RootElement.GetProperty("type").GetString()));
        Assert.True(JsonElement.DeepEquals(invoice, payload.RootElement.GetProperty("data")), $"the webhook's invoice {payload.RootElement.GetProperty("data")} differs from the route's {invoice}");
        Assert.Equal(("1.00", "issued", "INV-000001"), (invoice.GetProperty("totals").GetProperty("total").GetString(), invoice.GetProperty("status").GetString(), invoice.GetProperty("number").GetString()));
        Assert.Equal((webhook.Headers["webhook-id"], rule.GetProperty("id").GetString(), "invoice.created"), (listed.GetProperty("id").GetString(), listed.GetProperty("rule").GetProperty("id").GetString(), listed.GetProperty("type").GetString()));
    }

    /// <summary>A tenant with meter <c>tokens</c>, plan <c>pro</c> at <paramref name="unitPrice"/>, customer <c>acme</c> (subject s1) subscribed since August, and one event in the middle of October per data body.</summary>
    private Task<string> TenantWithCustomerAsync(string name, decimal unitPrice, params string[] data) =>
        TenantWithCustomerAsync(name, $$"""{"type":"unit","amount":"{{unitPrice.ToString(CultureInfo.InvariantCulture)}}"}""", data);

    /// <summary>The same with the rate card's price as OpenMeter's price JSON.</summary>
    private async Task<string> TenantWithCustomerAsync(string name, string price, params string[] data)
    {
        var key = await server.CreateTenantAsync(name);
        await CatalogApi.MeteredFeatureAsync(server, key);
        await CatalogApi.PublishedPlanAsync(server, key, "pro", CatalogApi.OnePhase(CatalogApi.UsageCard(price)));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, new { key = "acme", name = "Acme", usageAttribution = new { subjectKeys = new[] { "s1" } } });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key, new { customerKey = "acme", plan = new { key = "pro" }, timing = "2026-08-01T00:00:00Z" });
        var month = name.Contains("admin", StringComparison.Ordinal) ? "09" : "10";
        var events = string.Join(',', data.Select((body, i) => $$"""{"specversion":"1.0","id":"e{{i}}","source":"test","type":"prompt","subject":"s1","time":"2026-{{month}}-15T12:00:0{{i}}Z","data":{{body}}}"""));
        var (status, _) = await server.PostEventsAsync(key, $"[{events}]");
        Assert.Equal(HttpStatusCode.NoContent, status);
        await Eventually.EqualsAsync(data.Length, async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/events?from=2026-{month}-01T00:00:00Z", key)).GetArrayLength(), Patience);
        return key;
    }
}
