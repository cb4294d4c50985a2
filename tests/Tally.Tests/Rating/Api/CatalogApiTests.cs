using System.Net;
using System.Text.Json;
using static Tally.Tests.Rating.Api.CatalogApi;

namespace Tally.Tests.Rating.Api;

/// <summary>OpenMeter's customers, subjects, features and plans on a whole server: shapes, status codes, versions, refusals that store nothing.</summary>
public sealed class CatalogApiTests(RatingServerFixture server) : IClassFixture<RatingServerFixture>
{
    [Fact]
    public async Task Customers_CreateGetListUpdateDelete_AnswerOpenMeterShapes()
    {
        var key = await server.CreateTenantAsync("customers");

        var created = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key,
            Json("""{"key":"acme","name":"Acme","primaryEmail":"billing@acme.test","currency":"EUR","usageAttribution":{"subjectKeys":["acme-1","acme-2"]},"metadata":{"tier":"gold"}}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"beta"}"""));
        var conflict = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v1/customers", key, Json("""{"key":"gamma","usageAttribution":{"subjectKeys":["acme-2"]}}"""));
        var updated = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/customers/acme", key,
            Json("""{"key":"acme","name":"Acme GmbH","usageAttribution":{"subjectKeys":["acme-2","acme-3"]}}"""));
        var page = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers?page=1&pageSize=1&name=ACME", key);
        var subject = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/subjects/acme-3", key);
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "/api/v1/customers/beta", key);

        Assert.Equal(
            """{"key":"acme","name":"Acme","metadata":{"tier":"gold"},"usageAttribution":{"subjectKeys":["acme-1","acme-2"]},"primaryEmail":"billing@acme.test","currency":"EUR","timezone":"UTC","createdAt":"2026-11-10T12:00:00Z","updatedAt":"2026-11-10T12:00:00Z"}""",
            Without(created, "id"));
        Assert.Equal("usageAttribution.subjectKeys", conflict.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(("Acme GmbH", "EUR", 2), (updated.GetProperty("name").GetString(), updated.GetProperty("currency").GetString(), updated.GetProperty("usageAttribution").GetProperty("subjectKeys").GetArrayLength()));
        Assert.Equal((1, 1, 1), (page.GetProperty("totalCount").GetInt32(), page.GetProperty("page").GetInt32(), page.GetProperty("pageSize").GetInt32()));
        Assert.Equal(("acme-3", "Acme GmbH"), (subject.GetProperty("key").GetString(), subject.GetProperty("displayName").GetString()));
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v1/customers/beta", key);
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v1/subjects/acme-1", key);
        Assert.Equal(["acme"], (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers", key)).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task Customers_InvalidBody_Answer400NamingEachField()
    {
        var key = await server.CreateTenantAsync("customer errors");

        var problem = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/customers", key, Json("""{"name":"x","currency":"usd"}"""));

        Assert.Equal(["key", "currency"], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers", key)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Features_CreateListArchive_ListIsAnArrayUnlessPaged()
    {
        var key = await server.CreateTenantAsync("features");
        await MeteredFeatureAsync(server, key);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key,
            Json("""{"key":"gpt4_tokens","name":"GPT-4 tokens","meterSlug":"tokens","meterGroupByFilters":{"model":"gpt-4"}}"""));
        var badFilter = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/features", key, Json("""{"key":"x","name":"X","meterSlug":"tokens","meterGroupByFilters":{"region":"eu"}}"""));
        var badMeter = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/features", key, Json("""{"key":"y","name":"Y","meterSlug":"nope"}"""));
        var duplicate = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/api/v1/features", key, Json("""{"key":"tokens","name":"Again"}"""));

        var list = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/features", key);
        var paged = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/features?page=1&pageSize=10", key);
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, "/api/v1/features/gpt4_tokens", key);

        Assert.Equal(["gpt4_tokens", "tokens"], list.EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        Assert.Equal("""{"model":{"$eq":"gpt-4"}}""", list[0].GetProperty("advancedMeterGroupByFilters").GetRawText());
        Assert.Equal(2, paged.GetProperty("totalCount").GetInt32());
        Assert.Equal("meterGroupByFilters.region", badFilter.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("meterSlug", badMeter.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("key", duplicate.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(["tokens"], (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/features", key)).EnumerateArray().Select(f => f.GetProperty("key").GetString()));
        Assert.Equal(2, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/features?includeArchived=true", key)).GetArrayLength());
    }

    [Fact]
    public async Task Plans_DraftPublishNextVersionArchive_FollowOpenMeterVersioning()
    {
        var key = await server.CreateTenantAsync("plans");
        await MeteredFeatureAsync(server, key);
        var phases = OnePhase(FlatCard("base", "49"), UsageCard("""{"type":"unit","amount":"0.002"}"""));

        var draft = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans", key,
            Json($$"""{"key":"pro","name":"Pro","currency":"USD","billingCadence":"P1M","phases":{{phases}}}"""));
        var secondDraft = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/plans", key,
            Json($$"""{"key":"pro","name":"Pro","currency":"USD","billingCadence":"P1M","phases":{{phases}}}"""));
        var id = draft.GetProperty("id").GetString();
        var edited = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/plans/{id}", key,
            Json($$"""{"name":"Pro (edited)","billingCadence":"P1M","phases":{{phases}}}"""));
        var published = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{id}/publish", key);
        var frozen = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, $"/api/v1/plans/{id}", key,
            Json($$"""{"name":"Changed","billingCadence":"P1M","phases":{{phases}}}"""));
        var v2 = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/plans/pro/next", key);
        var byKeyBefore = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans/pro", key);
        var latest = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans/pro?includeLatest=true", key);
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/plans/{v2.GetProperty("id").GetString()}/publish", key);
        var list = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans?key=pro", key);

        Assert.Equal(("draft", 1), (draft.GetProperty("status").GetString(), draft.GetProperty("version").GetInt32()));
        Assert.Equal("key", secondDraft.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("Pro (edited)", edited.GetProperty("name").GetString());
        Assert.Equal(("active", "2026-11-10T12:00:00Z"), (published.GetProperty("status").GetString(), published.GetProperty("effectiveFrom").GetString()));
        Assert.Equal("planId", frozen.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal((2, "draft"), (v2.GetProperty("version").GetInt32(), v2.GetProperty("status").GetString()));
        Assert.Equal(1, byKeyBefore.GetProperty("version").GetInt32());
        Assert.Equal(2, latest.GetProperty("version").GetInt32());
        Assert.Equal([(1, "archived"), (2, "active")], list.GetProperty("items").EnumerateArray().Select(p => (p.GetProperty("version").GetInt32(), p.GetProperty("status").GetString())));
        Assert.Equal(
            """[{"key":"default","name":"Default","duration":null,"rateCards":[{"type":"flat_fee","key":"base","name":"base","billingCadence":"P1M","price":{"type":"flat","amount":"49","paymentTerm":"in_advance"}},{"type":"usage_based","key":"tokens","name":"tokens","featureKey":"tokens","billingCadence":"P1M","price":{"type":"unit","amount":"0.002"}}]}]""",
            published.GetProperty("phases").GetRawText());
    }

    public static TheoryData<string, string, string> InvalidPlans => new()
    {
        { "overlapping tiers", UsageCard("""{"type":"tiered","mode":"graduated","tiers":[{"upToAmount":"100","unitPrice":{"type":"unit","amount":"1"}},{"upToAmount":"100","unitPrice":{"type":"unit","amount":"0.5"}},{"unitPrice":{"type":"unit","amount":"0.1"}}]}"""), "phases[0].rateCards[0].price.tiers[1].upToAmount" },
        { "unordered tiers", UsageCard("""{"type":"tiered","mode":"volume","tiers":[{"upToAmount":"100","unitPrice":{"type":"unit","amount":"1"}},{"upToAmount":"50","unitPrice":{"type":"unit","amount":"0.5"}},{"unitPrice":{"type":"unit","amount":"0.1"}}]}"""), "phases[0].rateCards[0].price.tiers[1].upToAmount" },
        { "bounded last tier", UsageCard("""{"type":"tiered","mode":"volume","tiers":[{"upToAmount":"100","unitPrice":{"type":"unit","amount":"1"}}]}"""), "phases[0].rateCards[0].price.tiers[0].upToAmount" },
        { "negative price", UsageCard("""{"type":"unit","amount":"-0.01"}"""), "phases[0].rateCards[0].price.amount" },
        { "negative flat fee", FlatCard("base", "-5"), "phases[0].rateCards[0].price.amount" },
        { "zero package", UsageCard("""{"type":"package","amount":"1","quantityPerPackage":"0"}"""), "phases[0].rateCards[0].price.quantityPerPackage" },
        { "minimum above maximum", UsageCard("""{"type":"unit","amount":"1","minimumAmount":"10","maximumAmount":"5"}"""), "phases[0].rateCards[0].price.minimumAmount" },
        { "discount above 100%", UsageCard("""{"type":"unit","amount":"1"}""", extra: ""","discounts":{"percentage":{"percentage":120}}"""), "phases[0].rateCards[0].discounts.percentage.percentage" },
        { "missing feature", UsageCard("""{"type":"unit","amount":"1"}""", feature: "nope"), "phases[0].rateCards[0].featureKey" },
        { "usage price without a meter", UsageCard("""{"type":"unit","amount":"1"}""", feature: "seats"), "phases[0].rateCards[0].featureKey" },
        { "weekly cadence", UsageCard("""{"type":"unit","amount":"1"}""").Replace("\"P1M\"", "\"P1W\"", StringComparison.Ordinal), "phases[0].rateCards[0].billingCadence" },
    };

    [Theory]
    [MemberData(nameof(InvalidPlans))]
    public async Task Plans_InvalidRateCard_Answer400NamingTheFieldAndStoreNothing(string why, string card, string field)
    {
        var key = await server.CreateTenantAsync("invalid plan " + why);
        await MeteredFeatureAsync(server, key);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key, Json("""{"key":"seats","name":"Seats"}"""));

        var problem = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/plans", key,
            Json($$"""{"key":"pro","name":"Pro","currency":"USD","billingCadence":"P1M","phases":{{OnePhase(card)}}}"""));

        Assert.Contains(field, problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans?includeDeleted=true", key)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Plans_UnknownCurrencyOrPhaseWithoutDuration_Answer400()
    {
        var key = await server.CreateTenantAsync("plan shape");
        var currency = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/plans", key,
            Json($$"""{"key":"pro","name":"Pro","currency":"XYZ","billingCadence":"P1M","phases":{{OnePhase(FlatCard("base", "1"))}}}"""));
        var phases = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/plans", key,
            Json($$"""{"key":"pro","name":"Pro","currency":"USD","billingCadence":"P1M","phases":[{"key":"trial","name":"Trial","duration":null,"rateCards":[{{FlatCard("base", "0")}}]},{"key":"paid","name":"Paid","duration":"P1M","rateCards":[{{FlatCard("base", "9")}}]}]}"""));

        Assert.Equal("currency", currency.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(["phases[0].duration", "phases[1].duration"], phases.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
    }
}
