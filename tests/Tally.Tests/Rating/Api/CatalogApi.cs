using System.Net;
using System.Text.Json;
using Tally.Tests.Hosting;

namespace Tally.Tests.Rating.Api;

/// <summary>Request helpers for the catalog API tests: JSON bodies written as text, and the catalog every test builds on.</summary>
internal static class CatalogApi
{
    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    /// <summary>The JSON of <paramref name="element"/> without the named properties (ids and instants a test cannot know).</summary>
    public static string Without(JsonElement element, params string[] names) =>
        JsonSerializer.Serialize(element.EnumerateObject().Where(p => !names.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value));

    /// <summary>A SUM meter <c>tokens</c> over <c>prompt</c> events and the feature <c>tokens</c> on it.</summary>
    public static async Task MeteredFeatureAsync(TallyServerFixture server, string key, string feature = "tokens")
    {
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
            new { slug = feature, eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" } });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key, new { key = feature, name = "Tokens", meterSlug = feature });
    }

    /// <summary>Creates and publishes a plan from its phases' JSON; returns the published plan.</summary>
    public static async Task<JsonElement> PublishedPlanAsync(TallyServerFixture server, string key, string planKey, string phases, string currency = "USD")
    {
        var plan = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", key,
            Json($$"""{"key":"{{planKey}}","name":"{{planKey}}","currency":"{{currency}}","billingCadence":"P1M","phases":{{phases}}}"""));
        return await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{plan.GetProperty("id").GetString()}/publish", key);
    }

    /// <summary>One phase of rate cards, never ending.</summary>
    public static string OnePhase(params string[] rateCards) => $$"""[{"key":"default","name":"Default","duration":null,"rateCards":[{{string.Join(",", rateCards)}}]}]""";

    public static string UsageCard(string price, string feature = "tokens", string extra = "") =>
        $$"""{"type":"usage_based","key":"{{feature}}","name":"{{feature}}","featureKey":"{{feature}}","billingCadence":"P1M","price":{{price}}{{extra}}}""";

    public static string FlatCard(string key, string amount, string term = "in_advance") =>
        $$"""{"type":"flat_fee","key":"{{key}}","name":"{{key}}","billingCadence":"P1M","price":{"type":"flat","amount":"{{amount}}","paymentTerm":"{{term}}"}""" + "}";

    public static async Task PostEventAsync(TallyServerFixture server, string key, string id, string subject, DateTimeOffset time, int tokens)
    {
        var (status, body) = await server.PostEventsAsync(key,
            $$"""{"specversion":"1.0","id":"{{id}}","source":"test","type":"prompt","subject":"{{subject}}","time":"{{time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}","data":{"tokens":{{tokens}},"model":"m"}""" + "}",
            "application/cloudevents+json");
        Assert.True(status == HttpStatusCode.NoContent, body.ToString());
    }
}
