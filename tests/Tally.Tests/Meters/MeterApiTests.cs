using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tally.EndToEnd;
using Tally.Tests.Hosting;

namespace Tally.Tests.Meters;

/// <summary>OpenMeter's meter routes on a whole server: shapes, PUT semantics, guarded delete, queries (GET, POST, CSV) and the event list.</summary>
public sealed class MeterApiTests(TallyServerFixture server) : IClassFixture<TallyServerFixture>
{
    [Fact]
    public async Task CreateAndGet_AllFields_RoundTripInOpenMetersShape()
    {
        var key = await server.CreateTenantAsync("shape");

        var created = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new
        {
            slug = "latency",
            name = "Latency",
            description = "p50 of calls",
            eventType = "call",
            aggregation = "unique_count",
            valueProperty = "$.user",
            eventFrom = "2026-01-01T00:00:00Z",
            groupBy = new { region = "$['geo region']" },
            metadata = new { team = "core" },
            dataFilter = new Dictionary<string, object> { ["$.status"] = new Dictionary<string, object> { ["$in"] = new[] { "ok", "partial" } } },
        });
        var fetched = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/latency", key);

        Assert.Equal(
            """{"slug":"latency","name":"Latency","description":"p50 of calls","aggregation":"UNIQUE_COUNT","eventType":"call","eventFrom":"2026-01-01T00:00:00Z","valueProperty":"$.user","groupBy":{"region":"$['geo region']"},"metadata":{"team":"core"},"annotations":null,"dataFilter":{"$.status":{"$in":["ok","partial"]}}}""",
            Without(fetched, "id", "createdAt", "updatedAt"));
        Assert.Equal(created.GetProperty("id").GetString(), fetched.GetProperty("id").GetString());
        Assert.False((await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "plain", eventType = "call", aggregation = "COUNT" })).TryGetProperty("groupBy", out _));
    }

    [Theory]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"SUM"}""", "valueProperty")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"COUNT","valueProperty":"$.x"}""", "valueProperty")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"MEDIAN"}""", "aggregation")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"MAX","valueProperty":"$.x","groupBy":{"g":"$.x"}}""", "groupBy.g")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"COUNT","description":""}""", "description")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"COUNT","dataFilter":{"$.s":{"$eq":"a","$ne":"b"}}}""", "dataFilter.$.s")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"COUNT","dataFilter":{"$.s":{"$gt":"many"}}}""", "dataFilter.$.s.$gt")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"COUNT","dataFilter":{"s":{"$eq":"a"}}}""", "dataFilter.s")]
    [InlineData("""{"slug":"a","eventType":"e","aggregation":"COUNT","eventFrom":"1960-01-01T00:00:00Z"}""", "eventFrom")]
    public async Task Create_InvalidDefinition_Answers400NamingTheField(string body, string field)
    {
        var key = await server.CreateTenantAsync("invalid");

        var (status, problem) = await server.SendAsync(HttpMethod.Post, "/api/v1/meters", key, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters", key)).GetArrayLength());
    }

    [Fact]
    public async Task Update_ReplacesNameGroupByAndMetadata_KeepsDescriptionAndTheImmutableFields()
    {
        var key = await server.CreateTenantAsync("update");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
            new { slug = "tokens", name = "Tokens", description = "kept", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" }, metadata = new { a = "b" } });

        var updated = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, "/api/v1/meters/tokens", key, new { groupBy = new { region = "$.region" } });

        Assert.Equal(
            """{"slug":"tokens","name":"tokens","description":"kept","aggregation":"SUM","eventType":"prompt","valueProperty":"$.tokens","groupBy":{"region":"$.region"},"metadata":null,"annotations":null}""",
            Without(updated, "id", "createdAt", "updatedAt"));
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Put, "/api/v1/meters/nothing", key, new { name = "x" });
    }

    [Fact]
    public async Task Delete_MeterMeasuredByAFeature_Answers409NamingTheFeatureAndKeepsIt()
    {
        var key = await server.CreateTenantAsync("priced");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "COUNT" });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/features", key, new { key = "tokens", name = "Tokens", meterSlug = "tokens" });

        var problem = await server.ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Delete, "/api/v1/meters/tokens", key);

        Assert.Equal("meter: meter tokens is measured by feature tokens; plans and entitlements bill it through the feature, so it stays.", problem.GetProperty("detail").GetString());
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens", key);
    }

    [Fact]
    public async Task Queries_GetPostCsvCustomersAndEventList_AnswerExactly()
    {
        var key = await server.CreateTenantAsync("queries");
        var acme = (await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, new { key = "acme", usageAttribution = new { subjectKeys = new[] { "s1", "s2" } } }))
            .GetProperty("id").GetString();
        var (status, _) = await server.PostEventsAsync(key, """
            [{"specversion":"1.0","id":"1","source":"t","type":"prompt","subject":"s1","time":"2026-11-02T10:00:00Z","data":{"tokens":5,"model":"a,b"}},
             {"specversion":"1.0","id":"2","source":"t","type":"prompt","subject":"s2","time":"2026-11-02T10:30:00Z","data":{"tokens":7,"model":"c"}},
             {"specversion":"1.0","id":"3","source":"t","type":"prompt","subject":"s3","time":"2026-11-02T11:00:00Z","data":{"tokens":"lots","model":"c"}},
             {"specversion":"1.0","id":"4","source":"t","type":"unmetered","subject":"s1","time":"2026-11-02T11:00:00Z"}]
            """);
        Assert.Equal(HttpStatusCode.NoContent, status);

        // Created after the events: ingest would now refuse event 3, which this meter cannot measure.
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
            new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" } });
        await Eventually.EqualsAsync(4, async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?from=2026-11-01T00:00:00Z", key)).GetArrayLength(), TimeSpan.FromSeconds(60));

        var byCustomer = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query?filterCustomerId=acme&from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z", key);
        var posted = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/meters/tokens/query", key,
            new { windowSize = "HOUR", groupBy = new[] { "model", "subject" }, filterGroupBy = new { model = new[] { "a,b", "c" } } });
        var csv = await CsvAsync(key, "/api/v1/meters/tokens/query?groupBy=model&windowSize=DAY");
        var events = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?from=2026-11-01T00:00:00Z&limit=4", key);

        var customerRow = Assert.Single(byCustomer.GetProperty("data").EnumerateArray());
        Assert.Equal((12m, acme), (customerRow.GetProperty("value").GetDecimal(), customerRow.GetProperty("customerId").GetString()));
        Assert.Equal(
            [("2026-11-02T10:00:00Z", "a,b", "s1", 5m), ("2026-11-02T10:00:00Z", "c", "s2", 7m)],
            posted.GetProperty("data").EnumerateArray().Select(r => (r.GetProperty("windowStart").GetString()!, r.GetProperty("groupBy").GetProperty("model").GetString()!, r.GetProperty("subject").GetString()!, r.GetProperty("value").GetDecimal())));
        Assert.Equal("window_start,window_end,model,value\n2026-11-02T00:00:00Z,2026-11-03T00:00:00Z,\"a,b\",5\n2026-11-02T00:00:00Z,2026-11-03T00:00:00Z,c,7\n", csv);
        Assert.Equal(
            [
                ("4", "no meter found for event type: unmetered"),
                ("3", "meter tokens: value property \"$.tokens\" is the string \"lots\"; it must be a number or a numeric string\nno customer found for event subject: s3"),
                ("2", null),
                ("1", null),
            ],
            events.EnumerateArray().Select(e => (e.GetProperty("event").GetProperty("id").GetString()!, e.TryGetProperty("validationError", out var error) ? error.GetString() : null)).OrderBy(e => e.Item2 is null).ThenByDescending(e => e.Item1));
    }

    [Theory]
    [InlineData("/api/v1/meters/tokens/query?windowSize=WEEK", "windowSize")]
    [InlineData("/api/v1/meters/tokens/query?windowTimeZone=Mars/Olympus", "windowTimeZone")]
    [InlineData("/api/v1/meters/tokens/query?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from")]
    [InlineData("/api/v1/meters/tokens/query?from=2026-11-02T00:00:00Z&to=2026-11-02T00:00:00Z", "from")]
    [InlineData("/api/v1/meters/tokens/query?groupBy=customer_id", "groupBy")]
    [InlineData("/api/v1/meters/tokens/query?groupBy=nope", "groupBy")]
    [InlineData("/api/v1/meters/tokens/query?filterGroupBy[nope]=x", "filterGroupBy[nope]")]
    [InlineData("/api/v1/meters/tokens/group-by/nope/values", "groupByKey")]
    [InlineData("/api/v1/events?limit=101", "limit")]
    public async Task Query_InvalidParameter_Answers400NamingIt(string path, string field)
    {
        var key = await server.CreateTenantAsync("bad query");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" } });

        var problem = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Get, path, key);

        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Query_UnknownCustomer_Answers404()
    {
        var key = await server.CreateTenantAsync("no customer");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "COUNT" });

        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, "/api/v1/meters/tokens/query?filterCustomerId=ghost", key);
    }

    [Fact]
    public async Task Query_SumBeyondDecimal_Answers422NamingTheMeterAndTheWayOut()
    {
        var key = await server.CreateTenantAsync("overflow");
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "huge", eventType = "huge", aggregation = "SUM", valueProperty = "$.v" });
        var (status, _) = await server.PostEventsAsync(key, """
            [{"specversion":"1.0","id":"1","source":"t","type":"huge","subject":"s1","time":"2026-11-02T10:00:00Z","data":{"v":5e28}},
             {"specversion":"1.0","id":"2","source":"t","type":"huge","subject":"s1","time":"2026-11-03T10:00:00Z","data":{"v":5e28}}]
            """);
        Assert.Equal(HttpStatusCode.NoContent, status);
        await Eventually.EqualsAsync(2, async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?from=2026-11-01T00:00:00Z", key)).GetArrayLength(), TimeSpan.FromSeconds(60));

        var problem = await server.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Get, "/api/v1/meters/huge/query", key);
        var daily = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/huge/query?windowSize=DAY", key);

        Assert.Equal(("https://tally.dev/problems/usage-overflow", "meter"), (problem.GetProperty("type").GetString(), problem.GetProperty("errors")[0].GetProperty("field").GetString()));
        Assert.Contains("meter huge is 100000000000000000000000000000", problem.GetProperty("detail").GetString());
        Assert.Equal([50_000_000_000_000_000_000_000_000_000m, 50_000_000_000_000_000_000_000_000_000m], daily.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("value").GetDecimal()));
    }

    [Fact]
    public async Task AdminRetention_SetValidateAndClear_IsShownOnTheTenant()
    {
        var key = await server.CreateTenantAsync("retention");
        var id = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", TallyServerFixture.AdminToken)).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "retention").GetProperty("id").GetString();

        var tooShort = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, $"/api/admin/tenants/{id}", TallyServerFixture.AdminToken, new { retentionDays = 10 });
        var set = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/admin/tenants/{id}", TallyServerFixture.AdminToken, new { retentionDays = 400 });
        var cleared = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/admin/tenants/{id}", TallyServerFixture.AdminToken, new { retentionDays = (int?)null });
        await server.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Put, $"/api/admin/tenants/{id}", key, new { retentionDays = 400 });
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Put, "/api/admin/tenants/tnt_nobody", TallyServerFixture.AdminToken, new { retentionDays = 400 });

        Assert.Equal("retentionDays", tooShort.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(400, set.GetProperty("retentionDays").GetInt32());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("retentionDays").ValueKind);
    }

    [Fact]
    public async Task AdminReconciliation_BeforeAndAfterRollingUp_ReportsPendingThenClean()
    {
        var key = await server.CreateTenantAsync("reconcile");
        var tenantId = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", TallyServerFixture.AdminToken)).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "reconcile").GetProperty("id").GetString();
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        var (status, _) = await server.PostEventsAsync(key, """[{"specversion":"1.0","id":"1","source":"t","type":"prompt","subject":"s1","time":"2026-10-02T10:15:00Z","data":{"tokens":5}}]""");
        Assert.Equal(HttpStatusCode.NoContent, status);
        await Eventually.EqualsAsync(1, async () => (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?from=2026-10-01T00:00:00Z", key)).GetArrayLength(), TimeSpan.FromSeconds(60));
        var range = $"tenantId={tenantId}&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z";

        var before = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/admin/usage/reconciliation?{range}", TallyServerFixture.AdminToken);
        var after = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/admin/usage/reconciliation?{range}&rollUp=true", TallyServerFixture.AdminToken);
        await server.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Get, $"/api/admin/usage/reconciliation?{range}", key);

        var pending = Assert.Single(before.GetProperty("meters")[0].GetProperty("differences").EnumerateArray());
        Assert.Equal((false, "2026-10-02T10:00:00Z", true, 5m), (before.GetProperty("clean").GetBoolean(), pending.GetProperty("hour").GetString(), pending.GetProperty("pending").GetBoolean(), pending.GetProperty("events").GetDecimal()));
        Assert.Equal((true, 0), (after.GetProperty("clean").GetBoolean(), after.GetProperty("meters")[0].GetProperty("differences").GetArrayLength()));
    }

    [Fact]
    public async Task AdminTenant_LimitsAndKeys_SetShownRotatedAndRevokedAtOnce()
    {
        var key = await server.CreateTenantAsync("keys");
        var id = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/admin/tenants", TallyServerFixture.AdminToken)).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "keys").GetProperty("id").GetString();

        var invalid = await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Put, $"/api/admin/tenants/{id}", TallyServerFixture.AdminToken, new { requestsPerSecond = 0, eventsPerSecond = 5 });
        var set = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/admin/tenants/{id}", TallyServerFixture.AdminToken, new { requestsPerSecond = 50, eventsPerSecond = 5000 });
        var second = await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/admin/tenants/{id}/api-keys", TallyServerFixture.AdminToken);
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters", second.GetProperty("apiKey").GetString()!);
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/admin/tenants/{id}/api-keys/{key[..8]}", TallyServerFixture.AdminToken);
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Delete, $"/api/admin/tenants/{id}/api-keys/{key[..8]}", TallyServerFixture.AdminToken);

        Assert.Equal("requestsPerSecond", invalid.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal((50, 5000), (set.GetProperty("requestsPerSecond").GetInt32(), set.GetProperty("eventsPerSecond").GetInt32()));
        Assert.Equal(second.GetProperty("apiKey").GetString()![..8], second.GetProperty("prefix").GetString());
        await server.ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/v1/meters", key);
        await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters", second.GetProperty("apiKey").GetString()!);
    }

    private async Task<string> CsvAsync(string key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", key);
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(("text/csv", "attachment; filename=tokens.csv"), (response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentDisposition?.ToString()));
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static string Without(JsonElement element, params string[] names) =>
        JsonSerializer.Serialize(
            element.EnumerateObject().Where(p => !names.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value),
            new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
