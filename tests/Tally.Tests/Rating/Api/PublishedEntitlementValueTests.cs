using System.Net;
using System.Text.Json;
using Tally.EndToEnd;
using static Tally.Tests.Rating.Api.CatalogApi;

namespace Tally.Tests.Rating.Api;

/// <summary>
/// The value route answers from the values the rating grains publish (no grain call): the same bytes as the
/// grain's answer, withdrawn as soon as usage or grants change, and never another tenant's.
/// </summary>
public sealed class PublishedEntitlementValueTests(RatingServerFixture server) : IClassFixture<RatingServerFixture>
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EntitlementValue_AskedAgain_SameBytesUntilUsageOrAGrantChangesIt()
    {
        var key = await server.CreateTenantAsync("published");
        var grant = await EntitledCustomerAsync(key, "acme", 1000);
        await PostEventAsync(server, key, "e1", "acme", November.AddDays(2), 300);
        await Eventually.EqualsAsync(300m, async () => (await ValueAsync(key, "acme")).GetProperty("usage").GetDecimal(), TimeSpan.FromSeconds(60));

        var first = (await ValueAsync(key, "acme")).GetRawText();
        var again = (await ValueAsync(key, "acme")).GetRawText();
        var v1 = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/acme/entitlements/tokens/value", key)).GetRawText();
        var v1Again = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/acme/entitlements/tokens/value", key)).GetRawText();
        await PostEventAsync(server, key, "e2", "acme", November.AddDays(3), 200);
        var afterUsage = await Eventually.EqualsAsync(500m, async () => (await ValueAsync(key, "acme")).GetProperty("usage").GetDecimal(), TimeSpan.FromSeconds(60));
        var usedMore = (await ValueAsync(key, "acme")).GetRawText();
        var second = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v2/customers/acme/entitlements/tokens/grants", key,
            Json("""{"amount":500,"priority":2,"effectiveAt":"2026-11-01T00:00:00Z"}"""));
        var granted = (await ValueAsync(key, "acme")).GetRawText();

        Assert.Equal($$$"""{"hasAccess":true,"balance":700,"usage":300,"overage":0,"totalAvailableGrantAmount":1000,"grantBalances":{"{{{grant}}}":700}}""", first);
        Assert.Equal(first, again);
        Assert.Equal("""{"hasAccess":true,"balance":700,"usage":300,"overage":0,"totalAvailableGrantAmount":1000}""", v1);
        Assert.Equal(v1, v1Again);
        Assert.Equal(500m, afterUsage);
        Assert.Equal($$$"""{"hasAccess":true,"balance":500,"usage":500,"overage":0,"totalAvailableGrantAmount":1000,"grantBalances":{"{{{grant}}}":500}}""", usedMore);
        // No waiting: the grant route refreshes the grain, which withdraws what it had published before answering.
        Assert.Equal(
            $$$"""{"hasAccess":true,"balance":1000,"usage":500,"overage":0,"totalAvailableGrantAmount":1500,"grantBalances":{"{{{grant}}}":500,"{{{second.GetProperty("id").GetString()}}}":500}}""",
            granted);
    }

    [Fact]
    public async Task EntitlementValue_SameCustomerKeyInTwoTenants_EachKeyReadsOnlyItsOwn()
    {
        var first = await server.CreateTenantAsync("published-a");
        var other = await server.CreateTenantAsync("published-b");
        await EntitledCustomerAsync(first, "shared", 1000);
        await EntitledCustomerAsync(other, "shared", 50);
        var firstCustomerId = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers/shared", first)).GetProperty("id").GetString();

        var reads = new List<decimal>();
        for (var i = 0; i < 2; i++)
        {
            reads.Add((await ValueAsync(first, "shared")).GetProperty("balance").GetDecimal());
            reads.Add((await ValueAsync(other, "shared")).GetProperty("balance").GetDecimal());
        }

        var byId = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v2/customers/{firstCustomerId}/entitlements/tokens/value", first);
        var otherById = await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/v2/customers/{firstCustomerId}/entitlements/tokens/value", other);

        Assert.Equal([1000m, 50m, 1000m, 50m], reads);
        Assert.Equal(1000m, byId.GetProperty("balance").GetDecimal());
        Assert.Equal($"No customer '{firstCustomerId}' is visible to this credential; check the id or key.", otherById.GetProperty("detail").GetString());
    }

    /// <summary>A customer (its key is its subject) with a monthly metered entitlement to <c>tokens</c> and one grant; returns the grant's id.</summary>
    private async Task<string> EntitledCustomerAsync(string key, string customer, int amount)
    {
        await MeteredFeatureAsync(server, key);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key,
            Json($$$"""{"key":"{{{customer}}}","usageAttribution":{"subjectKeys":["{{{customer}}}"]}}"""));
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v2/customers/{customer}/entitlements", key,
            Json("""{"type":"metered","featureKey":"tokens","usagePeriod":{"interval":"MONTH","anchor":"2026-11-01T00:00:00Z"}}"""));
        var grant = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v2/customers/{customer}/entitlements/tokens/grants", key,
            Json($$"""{"amount":{{amount}},"priority":1,"effectiveAt":"2026-11-01T00:00:00Z"}"""));
        return grant.GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> ValueAsync(string key, string customer) =>
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v2/customers/{customer}/entitlements/tokens/value", key);
}
