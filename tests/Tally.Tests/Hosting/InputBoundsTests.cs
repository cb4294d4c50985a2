using System.Net;
using System.Text.Json;
using Tally.EndToEnd;

namespace Tally.Tests.Hosting;

/// <summary>
/// Every field has a bound and every bound answers 400 naming the field, with nothing stored:
/// control characters and NUL, instants outside what the store holds, out-of-range periods, and
/// oversized strings, lists and maps (the findings of the "faults stay small" issue).
/// </summary>
public sealed class InputBoundsTests(TallyServerFixture server) : IClassFixture<TallyServerFixture>
{
    private static readonly string Huge = new('x', 100_000);

    public static TheoryData<string, string, string> BadEvents => new()
    {
        { "NUL in subject", Event(subject: "c\u0000d"), "[0].subject" },
        { "line break in id", Event(id: "a\nb"), "[0].id" },
        { "tab in type", Event(type: "pro\tmpt"), "[0].type" },
        { "NUL in source", Event(source: "s\u0000"), "[0].source" },
        { "before the epoch", Event(time: "1969-12-31T23:59:59Z"), "[0].time" },
        { "year 1", Event(time: "0001-01-01T00:00:00Z"), "[0].time" },
        { "year 9999", Event(time: "9999-12-31T00:00:00Z"), "[0].time" },
        { "year 2100", Event(time: "2100-01-01T00:00:00Z"), "[0].time" },
        { "subject of 257 characters", Event(subject: new string('s', 257)), "[0].subject" },
        { "data over 64 KiB", Event(data: $"{{\"blob\":\"{new string('b', 70_000)}\"}}"), "[0].data" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task PostEvents_FieldOutOfBounds_Answers400NamingItAndCountsNothing(string why, string body, string field)
    {
        var key = await server.CreateTenantAsync("events " + why.Length);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "all", eventType = "prompt", aggregation = "COUNT" });

        var (status, problem) = await server.PostEventsAsync(key, $"[{body}]");

        Assert.True(status == HttpStatusCode.BadRequest, $"{why}: {(int)status} {problem}");
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("https://tally.dev/problems/validation", problem.GetProperty("type").GetString());

        // Only a good event sent afterwards is ever counted.
        var (good, _) = await server.PostEventsAsync(key, $"[{Event(id: "good")}]");
        Assert.Equal(HttpStatusCode.NoContent, good);
        await Eventually.EqualsAsync(1m, () => CountAsync(key), TimeSpan.FromSeconds(60));
    }

    /// <summary>One route per reader there used to be (rating's, the invoices', the Stripe app's): one reader now, one answer.</summary>
    [Theory]
    [InlineData("/api/v1/customers?page=0", "page", "is '0'; pages are numbered from 1.")]
    [InlineData("/api/v1/features?pageSize=1001", "pageSize", "is '1001'; use a whole number from 1 to 1000.")]
    [InlineData("/api/v1/billing/invoices?page=two", "page", "is 'two'; pages are numbered from 1.")]
    [InlineData("/api/v1/apps?pageSize=-1", "pageSize", "is '-1'; use a whole number from 1 to 1000.")]
    [InlineData("/api/v1/marketplace/listings?page=x", "page", "is 'x'; pages are numbered from 1.")]
    public async Task List_PageOutOfBounds_Answers400NamingTheParameter(string path, string field, string message)
    {
        var key = await server.CreateTenantAsync("paging");

        var (status, problem) = await server.SendAsync(HttpMethod.Get, path, key, null);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([(field, message)], problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("field").GetString(), e.GetProperty("message").GetString())));
    }

    [Theory]
    [InlineData("/api/v1/marketplace/listings")]
    [InlineData("/api/v1/customers")]
    [InlineData("/api/v1/billing/invoices?statuses=gathering")]
    public async Task List_LastPossiblePage_IsEmptyNotAnOverflow(string path)
    {
        var key = await server.CreateTenantAsync("far page");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, new { key = "c1", name = "C1", usageAttribution = new { subjectKeys = new[] { "c1" } } });

        var page = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}page=2147483647&pageSize=1000", key);

        Assert.Equal((2147483647, 1000, 0), (page.GetProperty("page").GetInt32(), page.GetProperty("pageSize").GetInt32(), page.GetProperty("items").GetArrayLength()));
    }

    [Theory]
    [InlineData("{\"apiKey\":\"pk_live_publishable1\"}", "apiKey")]
    [InlineData("{\"apiKey\":\"sk_test_abcdefgh\",\"name\":\"a\\u0000b\"}", "name")]
    [InlineData("{\"apiKey\":42}", "apiKey")]
    public async Task InstallStripe_FieldOutOfBounds_Answers400NamingItAndInstallsNothing(string body, string field)
    {
        var key = await server.CreateTenantAsync("stripe");

        var (status, problem) = await server.SendAsync(
            HttpMethod.Post, "/api/v1/marketplace/listings/stripe/install/apikey", key, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/apps", key)).GetProperty("totalCount").GetInt32());
    }

    [Theory]
    [InlineData("subject=c%00d", "subject")]
    [InlineData("filterGroupBy[model]=a%00b", "filterGroupBy[model]")]
    [InlineData("to=2200-01-01T00:00:00Z", "to")]
    [InlineData("from=1969-01-01T00:00:00Z", "from")]
    public async Task QueryMeter_ValueOutOfBounds_Answers400NamingIt(string query, string field)
    {
        var key = await server.CreateTenantAsync("query");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
            new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" } });

        var problem = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, $"/api/v1/meters/tokens/query?{query}", key);

        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task QueryMeter_HundredSubjects_Answers200()
    {
        var key = await server.CreateTenantAsync("many subjects");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "all", eventType = "prompt", aggregation = "COUNT" });
        var subjects = string.Join('&', Enumerable.Range(0, 100).Select(i => $"subject={new string('s', 250)}{i}"));

        var result = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/meters/all/query?{subjects}", key);

        Assert.Equal(0, result.GetProperty("data").GetArrayLength());
    }

    public static TheoryData<string, string, object, string> BadBodies => new()
    {
        { "meter eventType of 10 MB", "/api/v1/meters", new { slug = "big", eventType = new string('e', 10_000_000), aggregation = "COUNT" }, "eventType" },
        { "meter eventType with NUL", "/api/v1/meters", new { slug = "nul", eventType = "a\u0000b", aggregation = "COUNT" }, "eventType" },
        { "meter with 1000 groupBy entries", "/api/v1/meters", new { slug = "wide", eventType = "prompt", aggregation = "COUNT", groupBy = Enumerable.Range(0, 1000).ToDictionary(i => $"g{i}", _ => "$.x") }, "groupBy" },
        { "meter valueProperty of 100k", "/api/v1/meters", new { slug = "deep", eventType = "prompt", aggregation = "SUM", valueProperty = "$." + Huge }, "valueProperty" },
        { "customer name of 1 MB", "/api/v1/customers", new { key = "c1", name = new string('n', 1_000_000) }, "name" },
        { "customer with 10,000 subject keys", "/api/v1/customers", new { key = "c2", usageAttribution = new { subjectKeys = Enumerable.Range(0, 10_000).Select(i => $"s{i}").ToArray() } }, "usageAttribution.subjectKeys" },
        { "customer subject key of 100,000 characters", "/api/v1/customers", new { key = "c3", usageAttribution = new { subjectKeys = new[] { Huge } } }, "usageAttribution.subjectKeys[0]" },
        { "customer subject key with NUL", "/api/v1/customers", new { key = "c4", usageAttribution = new { subjectKeys = new[] { "a\u0000" } } }, "usageAttribution.subjectKeys[0]" },
        { "customer key with NUL", "/api/v1/customers", new { key = "c\u00005" }, "key" },
        { "plan name of 1 MB", "/api/v1/plans", new { key = "p1", name = new string('n', 1_000_000), currency = "USD", billingCadence = "P1M", phases = new[] { new { key = "default", name = "Default", duration = (string?)null, rateCards = new[] { new { type = "flat_fee", key = "base", name = "Base", billingCadence = "P1M", price = new { type = "flat", amount = "1" } } } } } }, "name" },
        { "period 9999-12", "/api/v1/billing/close-runs", new { period = "9999-12" }, "period" },
        { "period 1999-12", "/api/v1/billing/close-runs", new { period = "1999-12" }, "period" },
        { "subscription in year 9999", "/api/v1/subscriptions", new { customerId = "nobody", plan = new { key = "none" }, timing = "9999-01-01T00:00:00Z" }, "timing" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Post_BodyOutOfBounds_Answers400NamingTheFieldAndStoresNothing(string why, string path, object body, string field)
    {
        var key = await server.CreateTenantAsync("bodies " + why.Length);
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "COUNT" });

        var problem = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, path, key, body);

        Assert.Contains(field, problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        Assert.Equal(["tokens"], (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters", key)).EnumerateArray().Select(m => m.GetProperty("slug").GetString()));
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers", key)).GetProperty("totalCount").GetInt32());
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans", key)).GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task AdminClose_Period9999_Answers400()
    {
        var problem = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/admin/close-runs", TallyServerFixture.AdminToken, new { period = "9999-12" });

        Assert.Equal("period", problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    private async Task<decimal> CountAsync(string key)
    {
        var result = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/all/query", key);
        return result.GetProperty("data").EnumerateArray().Sum(v => v.GetProperty("value").GetDecimal());
    }

    private static string Event(string id = "e1", string source = "s", string type = "prompt", string subject = "c1", string time = "2026-11-01T00:00:00Z", string data = "{\"tokens\":1}") =>
        $$"""{"specversion":"1.0","id":{{JsonSerializer.Serialize(id)}},"source":{{JsonSerializer.Serialize(source)}},"type":{{JsonSerializer.Serialize(type)}},"subject":{{JsonSerializer.Serialize(subject)}},"time":"{{time}}","data":{{data}}}""";
}
