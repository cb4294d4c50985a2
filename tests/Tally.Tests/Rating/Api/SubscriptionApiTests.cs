using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tally.EndToEnd;
using static Tally.Tests.Rating.Api.CatalogApi;

namespace Tally.Tests.Rating.Api;

/// <summary>
/// Subscriptions and the live bill on a whole server, the rating clock at 10 November 2026 12:00:
/// create (backdated), no overlap, change plan with prorated flat fees, cancel, unschedule, delete, and
/// the gathering invoice reflecting usage that reaches the rating grain as deltas.
/// </summary>
public sealed class SubscriptionApiTests(RatingServerFixture server) : IClassFixture<RatingServerFixture>
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ChangePlanMidMonth_GatheringInvoiceBillsEachPlanForItsPart()
    {
        var key = await server.CreateTenantAsync("change");
        await MeteredFeatureAsync(server, key);
        await PublishedPlanAsync(server, key, "basic", OnePhase(FlatCard("base", "30"), UsageCard("""{"type":"unit","amount":"1"}""")));
        await PublishedPlanAsync(server, key, "pro", OnePhase(FlatCard("base", "90"), UsageCard("""{"type":"tiered","mode":"graduated","tiers":[{"upToAmount":"100","flatPrice":null,"unitPrice":{"type":"unit","amount":"0"}},{"flatPrice":null,"unitPrice":{"type":"unit","amount":"0.1"}}]}""")));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"acme","usageAttribution":{"subjectKeys":["acme-1"]}}"""));
        var basic = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"acme","plan":{"key":"basic"},"timing":"2026-11-01T00:00:00Z"}"""));
        var id = basic.GetProperty("id").GetString();

        var overlap = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"acme","plan":{"key":"pro"}}"""));
        var past = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, $"/api/v1/subscriptions/{id}/change", key, Json("""{"timing":"2026-11-05T00:00:00Z","plan":{"key":"pro"}}"""));
        var changed = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/subscriptions/{id}/change", key, Json("""{"timing":"2026-11-16T00:00:00Z","plan":{"key":"pro"}}"""));
        await PostEventAsync(server, key, "e1", "acme-1", November.AddDays(4), 200);
        await PostEventAsync(server, key, "e2", "acme-1", November.AddDays(19), 300);

        var total = await Eventually.EqualsAsync("280.00", async () => (await GatheringAsync(key)).GetProperty("totals").GetProperty("total").GetString(), TimeSpan.FromSeconds(60));
        var invoice = await GatheringAsync(key);

        Assert.Equal("customerId", overlap.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("conflict", overlap.GetProperty("extensions").GetProperty("validationErrors")[0].GetProperty("code").GetString());
        Assert.Equal("timing", past.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(("2026-11-16T00:00:00Z", "canceled"), (changed.GetProperty("current").GetProperty("activeTo").GetString(), changed.GetProperty("current").GetProperty("status").GetString()));
        Assert.Equal(("scheduled", "pro", 1), (changed.GetProperty("next").GetProperty("status").GetString(), changed.GetProperty("next").GetProperty("plan").GetProperty("key").GetString(), changed.GetProperty("next").GetProperty("plan").GetProperty("version").GetInt32()));
        Assert.Equal(
            [("base", "2026-11-01T00:00:00Z", "2026-11-16T00:00:00Z", "0.5", "15.00"), ("tokens", "2026-11-01T00:00:00Z", "2026-11-16T00:00:00Z", "200", "200.00"), ("base", "2026-11-16T00:00:00Z", "2026-12-01T00:00:00Z", "0.5", "45.00"), ("tokens", "2026-11-16T00:00:00Z", "2026-12-01T00:00:00Z", "300", "20.00")],
            invoice.GetProperty("lines").EnumerateArray().Select(l => (
                l.GetProperty("name").GetString(),
                l.GetProperty("period").GetProperty("from").GetString(),
                l.GetProperty("period").GetProperty("to").GetString(),
                l.GetProperty("quantity").GetString(),
                l.GetProperty("totals").GetProperty("total").GetString())));
        Assert.Equal(("gathering", "USD", "280.00"), (invoice.GetProperty("status").GetString(), invoice.GetProperty("currency").GetString(), total));
        var tiers = invoice.GetProperty("lines")[3].GetProperty("children");
        Assert.Equal([("tokens: tier 1 units", "100", "0"), ("tokens: tier 2 units", "200", "0.1")], tiers.EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("quantity").GetString(), c.GetProperty("perUnitAmount").GetString())));
    }

    [Fact]
    public async Task CancelUnscheduleDelete_FollowOpenMeterStatuses()
    {
        var key = await server.CreateTenantAsync("cancel");
        await PublishedPlanAsync(server, key, "basic", OnePhase(FlatCard("base", "10")));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"acme"}"""));
        var current = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"acme","plan":{"key":"basic"}}"""));
        var id = current.GetProperty("id").GetString();

        var canceled = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/subscriptions/{id}/cancel", key, Json("""{"timing":"next_billing_cycle"}"""));
        var scheduled = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"acme","plan":{"key":"basic"},"timing":"2026-12-01T00:00:00Z"}"""));
        var blocked = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/v1/subscriptions/{id}/unschedule-cancelation", key);
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/v1/subscriptions/{scheduled.GetProperty("id").GetString()}", key);
        var resumed = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/subscriptions/{id}/unschedule-cancelation", key);
        var started = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Delete, $"/api/v1/subscriptions/{id}", key);
        var list = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/acme/subscriptions", key);
        var expanded = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/subscriptions/{id}", key);

        Assert.Equal(("canceled", "2026-12-01T00:00:00Z"), (canceled.GetProperty("status").GetString(), canceled.GetProperty("activeTo").GetString()));
        Assert.Equal("scheduled", scheduled.GetProperty("status").GetString());
        Assert.Equal("subscriptionId", blocked.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("active", resumed.GetProperty("status").GetString());
        Assert.False(resumed.TryGetProperty("activeTo", out _));
        Assert.Equal("subscriptionId", started.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal([id], list.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(("default", "base", "10"), (
            expanded.GetProperty("phases")[0].GetProperty("key").GetString(),
            expanded.GetProperty("phases")[0].GetProperty("items")[0].GetProperty("key").GetString(),
            expanded.GetProperty("phases")[0].GetProperty("items")[0].GetProperty("price").GetProperty("amount").GetString()));
        Assert.Equal("2026-11-01T00:00:00Z", expanded.GetProperty("alignment").GetProperty("currentAlignedBillingPeriod").GetProperty("from").GetString());
    }

    [Fact]
    public async Task Subscribe_PlanInAnotherCurrencyOrUnpublished_Answers400AndStoresNothing()
    {
        var key = await server.CreateTenantAsync("subscribe errors");
        await PublishedPlanAsync(server, key, "euro", OnePhase(FlatCard("base", "10")), currency: "EUR");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", key,
            Json($$"""{"key":"draft","name":"Draft","currency":"USD","billingCadence":"P1M","phases":{{OnePhase(FlatCard("base", "1"))}}}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"acme","currency":"USD"}"""));

        var currency = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"acme","plan":{"key":"euro"}}"""));
        var draft = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"acme","plan":{"key":"draft"}}"""));

        Assert.Equal("plan", currency.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("plan.key", draft.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/acme/subscriptions", key)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task RatingGrain_DeltaReplayedOrBehindTheSnapshot_CountsEachEventOnce()
    {
        var key = await server.CreateTenantAsync("replay");
        await MeteredFeatureAsync(server, key);
        await PublishedPlanAsync(server, key, "basic", OnePhase(UsageCard("""{"type":"unit","amount":"1"}""")));
        var customer = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"acme","usageAttribution":{"subjectKeys":["acme-r"]}}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"acme","plan":{"key":"basic"},"timing":"2026-11-01T00:00:00Z"}"""));
        await PostEventAsync(server, key, "r1", "acme-r", November.AddDays(1), 7);
        await Eventually.EqualsAsync("7.00", async () => (await GatheringAsync(key)).GetProperty("totals").GetProperty("total").GetString(), TimeSpan.FromSeconds(60));
        var tenant = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", Hosting.TallyServerFixture.AdminToken))
            .EnumerateArray().Single(t => t.GetProperty("name").GetString() == "replay").GetProperty("id").GetString()!;
        var grain = server.Services.GetRequiredService<IGrainFactory>().GetGrain<Tally.Rating.Live.ICustomerRatingGrain>(Tally.Rating.RatingKeys.Customer(tenant, customer.GetProperty("id").GetString()!));
        var late = new Tally.Billing.Usage.UsageDelta(tenant, "acme-r", 0, [new(1_000_000, "prompt", November.AddDays(2), "test", "synthetic", """{"tokens":100,"model":"m"}""")]);

        await grain.ApplyUsageAsync(new([late]));
        await grain.ApplyUsageAsync(new([late, late]));
        await grain.ApplyUsageAsync(new([late with { Events = [new(999_999, "prompt", November.AddDays(2), "test", "behind", """{"tokens":5000,"model":"m"}""")] }]));

        Assert.Equal("107.00", (await GatheringAsync(key)).GetProperty("totals").GetProperty("total").GetString());
        await grain.RefreshAsync();
        Assert.Equal("7.00", (await GatheringAsync(key)).GetProperty("totals").GetProperty("total").GetString());
    }

    private async Task<JsonElement> GatheringAsync(string key)
    {
        var list = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices?statuses=gathering&expand=lines", key);
        return Assert.Single(list.GetProperty("items").EnumerateArray());
    }
}
