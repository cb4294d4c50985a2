using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tally.EndToEnd;
using static Tally.Tests.Rating.Api.CatalogApi;

namespace Tally.Tests.Rating.Api;

/// <summary>
/// Entitlements, grants and balance notifications on a whole server (rating clock 10 November 2026 12:00):
/// values come from the customer's rating grain as usage arrives; thresholds fire signed webhooks to a
/// real local listener once per usage period, retried after a failure.
/// </summary>
public sealed class EntitlementApiTests(RatingServerFixture server) : IClassFixture<RatingServerFixture>
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task MeteredEntitlement_GrantsBurnDownInOrder_ValueFollowsUsageAndExpiry()
    {
        var key = await server.CreateTenantAsync("entitlements");
        var now = $"{server.Clock.GetUtcNow().UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
        await MeteredFeatureAsync(server, key);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"acme","usageAttribution":{"subjectKeys":["acme-1"]}}"""));
        var entitlement = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v2/customers/acme/entitlements", key,
            Json("""{"type":"metered","featureKey":"tokens","usagePeriod":{"interval":"MONTH","anchor":"2026-11-01T00:00:00Z"},"issue":{"amount":1000,"priority":1}}"""));
        var grant = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v2/customers/acme/entitlements/tokens/grants", key,
            Json("""{"amount":500,"priority":2,"effectiveAt":"2026-11-01T00:00:00Z","expiration":{"duration":"DAY","count":20}}"""));
        var duplicate = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v2/customers/acme/entitlements", key,
            Json("""{"type":"boolean","featureKey":"tokens"}"""));
        await PostEventAsync(server, key, "e1", "acme-1", November.AddDays(2), 1200);

        var value = await Eventually.EqualsAsync(1200m, async () => (await ValueAsync(key)).GetProperty("usage").GetDecimal(), TimeSpan.FromSeconds(60));
        var v2 = await ValueAsync(key);
        var v1 = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/acme/entitlements/tokens/value", key);
        var grants = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v2/customers/acme/entitlements/tokens/grants", key);
        server.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        var expired = await ValueAsync(key);

        Assert.Equal(
            $$"""{"type":"metered","featureKey":"tokens","activeFrom":"{{now}}","isSoftLimit":false,"preserveOverageAtReset":false,"issue":{"amount":1000,"priority":1},"issueAfterReset":1000,"issueAfterResetPriority":1,"lastReset":"2026-11-01T00:00:00Z","currentUsagePeriod":{"from":"2026-11-01T00:00:00Z","to":"2026-12-01T00:00:00Z"},"measureUsageFrom":"2026-11-01T00:00:00Z","usagePeriod":{"interval":"MONTH","anchor":"2026-11-01T00:00:00Z","intervalISO":"P1M"},"createdAt":"{{now}}","updatedAt":"{{now}}"}""",
            Without(entitlement, "id", "featureId", "customerId", "customerKey"));
        Assert.Equal(("2026-11-21T00:00:00Z", 500m), (grant.GetProperty("expiresAt").GetString(), grant.GetProperty("amount").GetDecimal()));
        Assert.Equal("featureKey", duplicate.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal((true, 300m, 1200m, 0m, 1500m), (v2.GetProperty("hasAccess").GetBoolean(), v2.GetProperty("balance").GetDecimal(), value, v2.GetProperty("overage").GetDecimal(), v2.GetProperty("totalAvailableGrantAmount").GetDecimal()));
        Assert.Equal([0m, 300m], v2.GetProperty("grantBalances").EnumerateObject().Select(p => p.Value.GetDecimal()).Order());
        Assert.False(v1.TryGetProperty("grantBalances", out _));
        Assert.Equal(2, grants.GetProperty("totalCount").GetInt32());
        Assert.Equal((false, 0m, 1200m, 0m), (expired.GetProperty("hasAccess").GetBoolean(), expired.GetProperty("balance").GetDecimal(), expired.GetProperty("usage").GetDecimal(), expired.GetProperty("overage").GetDecimal()));
    }

    [Fact]
    public async Task EntitlementValue_CustomerKeyChangedThenDeleted_AnswersForTheCustomerAsItIsNow()
    {
        var key = await server.CreateTenantAsync("renamed");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key, Json("""{"key":"sso","name":"SSO"}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"old"}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v2/customers/old/entitlements", key, Json("""{"type":"boolean","featureKey":"sso"}"""));
        var before = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v2/customers/old/entitlements/sso/value", key);

        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/customers/old", key, Json("""{"key":"new","name":"Renamed"}"""));
        var oldKey = await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v2/customers/old/entitlements/sso/value", key);
        var newKey = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v2/customers/new/entitlements/sso/value", key);
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "/api/v1/customers/new", key);
        var deleted = await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v2/customers/new/entitlements/sso/value", key);

        Assert.True(before.GetProperty("hasAccess").GetBoolean());
        Assert.Equal("No customer 'old' is visible to this credential; check the id or key.", oldKey.GetProperty("detail").GetString());
        Assert.True(newKey.GetProperty("hasAccess").GetBoolean());
        Assert.Equal("No customer 'new' is visible to this credential; check the id or key.", deleted.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task BooleanAndStaticEntitlements_AccessListsEveryFeature()
    {
        var key = await server.CreateTenantAsync("access");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key, Json("""{"key":"sso","name":"SSO"}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key, Json("""{"key":"seats","name":"Seats"}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"acme"}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v2/customers/acme/entitlements", key, Json("""{"type":"boolean","featureKey":"sso"}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/subjects/acme/entitlements", key, Json("""{"type":"static","featureKey":"seats","config":"{\"max\":5}"}"""));
        var metered = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v2/customers/acme/entitlements", key,
            Json("""{"type":"metered","featureKey":"sso","usagePeriod":{"interval":"MONTH"}}"""));

        var access = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/acme/access", key);
        var v1List = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/subjects/acme/entitlements", key);

        Assert.Equal("""{"entitlements":{"seats":{"hasAccess":true,"config":"{\u0022max\u0022:5}"},"sso":{"hasAccess":true}}}""", access.GetRawText());
        Assert.Equal("featureKey", metered.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal([("seats", "acme"), ("sso", "acme")], v1List.EnumerateArray().Select(e => (e.GetProperty("featureKey").GetString(), e.GetProperty("subjectKey").GetString())));
    }

    [Fact]
    public async Task BalanceThresholds_FireSignedWebhooksOncePerPeriodAndRetryAFailure()
    {
        await using var listener = await WebhookListener.StartAsync();
        var key = await server.CreateTenantAsync("notifications");
        await MeteredFeatureAsync(server, key);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"acme","usageAttribution":{"subjectKeys":["acme-n"]}}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v2/customers/acme/entitlements", key,
            Json("""{"type":"metered","featureKey":"tokens","usagePeriod":{"interval":"MONTH","anchor":"2026-11-01T00:00:00Z"},"issue":{"amount":1000}}"""));
        var secret = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("a-test-signing-secret-of-32-bytes!"));
        var channel = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/notification/channels", key,
            Json($$"""{"type":"WEBHOOK","name":"ops","url":"{{listener.Url}}","signingSecret":"{{secret}}","customHeaders":{"x-team":"billing"}""" + "}"));
        var rule = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/notification/rules", key,
            Json($$"""{"type":"entitlements.balance.threshold","name":"usage","channels":["{{channel.GetProperty("id").GetString()}}"],"thresholds":[{"value":80,"type":"usage_percentage"},{"value":100,"type":"usage_percentage"}],"features":["tokens"]}"""));
        listener.AnswerNext(HttpStatusCode.InternalServerError);

        await PostEventAsync(server, key, "n1", "acme-n", November.AddDays(3), 850);
        var failed = await listener.NextAsync(TimeSpan.FromSeconds(60));
        await Eventually.EqualsAsync("PENDING", async () => (await EventsAsync(key))[0].GetProperty("deliveryStatus")[0].GetProperty("state").GetString(), TimeSpan.FromSeconds(30));
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var retried = await listener.NextAsync(TimeSpan.FromSeconds(30));
        await PostEventAsync(server, key, "n2", "acme-n", November.AddDays(4), 200);
        var full = await listener.NextAsync(TimeSpan.FromSeconds(60));
        await PostEventAsync(server, key, "n3", "acme-n", November.AddDays(5), 10);
        await Eventually.EqualsAsync(1060m, async () => (await ValueAsync(key)).GetProperty("usage").GetDecimal(), TimeSpan.FromSeconds(60));
        var events = await EventsAsync(key);

        Assert.Equal(failed.Body, retried.Body);
        Assert.Equal(failed.Headers["webhook-id"], retried.Headers["webhook-id"]);
        foreach (var webhook in new[] { retried, full })
        {
            Assert.Equal(Signature(secret, webhook), webhook.Headers["webhook-signature"]);
            Assert.Equal(webhook.Headers["webhook-signature"], webhook.Headers["svix-signature"]);
            Assert.Equal("billing", webhook.Headers["x-team"]);
        }

        using var payload = JsonDocument.Parse(full.Body);
        var data = payload.RootElement.GetProperty("data");
        Assert.Equal(("entitlements.balance.threshold", 100m, "usage_percentage"), (payload.RootElement.GetProperty("type").GetString(), data.GetProperty("threshold").GetProperty("value").GetDecimal(), data.GetProperty("threshold").GetProperty("type").GetString()));
        Assert.Equal((1050m, 0m, "acme-n", "tokens"), (data.GetProperty("value").GetProperty("usage").GetDecimal(), data.GetProperty("value").GetProperty("balance").GetDecimal(), data.GetProperty("subject").GetProperty("key").GetString(), data.GetProperty("feature").GetProperty("key").GetString()));
        Assert.Equal(2, events.Count);
        Assert.Equal([rule.GetProperty("id").GetString(), rule.GetProperty("id").GetString()], events.Select(e => e.GetProperty("rule").GetProperty("id").GetString()));
        var first = events.Single(e => e.GetProperty("id").GetString() == failed.Headers["webhook-id"]).GetProperty("deliveryStatus")[0];
        Assert.Equal("SUCCESS", first.GetProperty("state").GetString());
        Assert.Equal([("FAILED", 500), ("SUCCESS", 200)], first.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("state").GetString(), a.GetProperty("response").GetProperty("statusCode").GetInt32())));
    }

    private async Task<JsonElement> ValueAsync(string key) =>
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v2/customers/acme/entitlements/tokens/value", key);

    private async Task<List<JsonElement>> EventsAsync(string key) =>
        [.. (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/notification/events", key)).GetProperty("items").EnumerateArray()];

    /// <summary>The Standard Webhooks signature, computed here independently of Tally's code.</summary>
    private static string Signature(string secret, WebhookListener.Received webhook)
    {
        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var signed = $"{webhook.Headers["webhook-id"]}.{webhook.Headers["webhook-timestamp"]}.{webhook.Body}";
        return "v1," + Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(signed)));
    }
}
