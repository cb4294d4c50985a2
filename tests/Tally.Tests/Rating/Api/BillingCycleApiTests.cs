using System.Net;
using System.Text.Json;
using static Tally.Tests.Rating.Api.CatalogApi;

namespace Tally.Tests.Rating.Api;

/// <summary>
/// A customer's <c>timezone</c> and a subscription's <c>billingAnchor</c> on a whole server, the rating clock
/// at 10 November 2026 12:00 UTC: stored, shown, refused with the field named, and the live bill cut on them.
/// </summary>
public sealed class BillingCycleApiTests(RatingServerFixture server) : IClassFixture<RatingServerFixture>
{
    [Fact]
    public async Task CustomerTimezone_CreateUpdateGet_StoredShownRefusedByNameAndFixedOnceASubscriptionStarted()
    {
        var key = await server.CreateTenantAsync("time zones");
        await PublishedPlanAsync(server, key, "basic", OnePhase(FlatCard("base", "30")));

        var berlin = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"berlin","timezone":"Europe/Berlin"}"""));
        var plain = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"plain"}"""));
        var unknown = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"mars","timezone":"Mars/Olympus_Mons"}"""));
        var windows = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"win","timezone":"W. Europe Standard Time"}"""));
        var moved = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/customers/plain", key, Json("""{"key":"plain","timezone":"Asia/Kathmandu"}"""));
        var kept = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/customers/plain", key, Json("""{"key":"plain","name":"Plain"}"""));
        var subscription = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key,
            Json("""{"customerKey":"berlin","plan":{"key":"basic"},"timing":"2026-11-01T00:00:00+01:00"}"""));
        var fixedZone = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, "/api/v1/customers/berlin", key, Json("""{"key":"berlin","timezone":"UTC"}"""));
        var got = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/berlin", key);
        var bill = await GatheringAsync(key, "berlin");

        Assert.Equal(("Europe/Berlin", "UTC"), (berlin.GetProperty("timezone").GetString(), plain.GetProperty("timezone").GetString()));
        Assert.Equal(["timezone", "timezone"], new[] { unknown, windows }.Select(p => p.GetProperty("errors")[0].GetProperty("field").GetString()));
        Assert.Equal(("Asia/Kathmandu", "Asia/Kathmandu", "Plain"), (moved.GetProperty("timezone").GetString(), kept.GetProperty("timezone").GetString(), kept.GetProperty("name").GetString()));
        Assert.Equal("2026-10-31T23:00:00Z", subscription.GetProperty("billingAnchor").GetString());
        Assert.Equal("timezone", fixedZone.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("Europe/Berlin", got.GetProperty("timezone").GetString());
        Assert.Equal(("2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", "30.00"), Period(bill));
    }

    [Fact]
    public async Task SubscriptionBillingAnchor_CreateChangeGet_NormalisedInheritedAndTheLiveBillCutOnIt()
    {
        var key = await server.CreateTenantAsync("anchors");
        await PublishedPlanAsync(server, key, "basic", OnePhase(FlatCard("base", "30")));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"anna"}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"ben"}"""));

        var refused = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/subscriptions", key,
            Json("""{"customerKey":"anna","plan":{"key":"basic"},"billingAnchor":"the 31st"}"""));
        var anna = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key,
            Json("""{"customerKey":"anna","plan":{"key":"basic"},"timing":"2026-10-31T09:30:00Z","billingAnchor":"2026-01-31T09:30:45.5Z"}"""));
        var id = anna.GetProperty("id").GetString();
        var expanded = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/subscriptions/{id}", key);
        var annasBill = await GatheringAsync(key, "anna");
        var inherited = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/subscriptions/{id}/change", key, Json("""{"timing":"next_billing_cycle","plan":{"key":"basic"}}"""));
        var ben = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subscriptions", key, Json("""{"customerKey":"ben","plan":{"key":"basic"},"timing":"2026-11-01T00:00:00Z"}"""));
        var reanchored = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/subscriptions/{ben.GetProperty("id").GetString()}/change", key,
            Json("""{"timing":"2026-11-20T00:00:00Z","plan":{"key":"basic"},"billingAnchor":"2026-11-20T00:00:00Z"}"""));
        var bensBill = await GatheringAsync(key, "ben");

        Assert.Equal("billingAnchor", refused.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(("2026-01-31T09:30:00Z", "2026-01-31T09:30:00Z"), (anna.GetProperty("billingAnchor").GetString(), expanded.GetProperty("billingAnchor").GetString()));
        var aligned = expanded.GetProperty("alignment").GetProperty("currentAlignedBillingPeriod");
        Assert.Equal(("2026-10-31T09:30:00Z", "2026-11-30T09:30:00Z"), (aligned.GetProperty("from").GetString(), aligned.GetProperty("to").GetString()));
        Assert.Equal(("2026-10-31T09:30:00Z", "2026-11-30T09:30:00Z", "30.00"), Period(annasBill));
        Assert.Equal(("2026-11-30T09:30:00Z", "2026-01-31T09:30:00Z"), (inherited.GetProperty("next").GetProperty("activeFrom").GetString(), inherited.GetProperty("next").GetProperty("billingAnchor").GetString()));
        Assert.Equal(("2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z"), (reanchored.GetProperty("current").GetProperty("billingAnchor").GetString(), reanchored.GetProperty("next").GetProperty("billingAnchor").GetString()));

        // Until 20 November only the calendar-month subscription is in its current period: 19 of 30 days of 30.00.
        Assert.Equal(("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", "19.00"), Period(bensBill));
    }

    private static (string? From, string? To, string? Total) Period(JsonElement invoice) =>
        (invoice.GetProperty("period").GetProperty("from").GetString(), invoice.GetProperty("period").GetProperty("to").GetString(), invoice.GetProperty("totals").GetProperty("total").GetString());

    private async Task<JsonElement> GatheringAsync(string key, string customerKey)
    {
        var list = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/billing/invoices?statuses=gathering&expand=lines", key);
        return list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("customer").GetProperty("key").GetString() == customerKey);
    }
}
