using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tally.EndToEnd;
using Tally.Tests.Hosting;

namespace Tally.Tests.Portal;

/// <summary>
/// OpenMeter's portal token routes on a whole server: create/list/invalidate shapes and validation, the
/// portal meter query scoped to the token's subject and meters, forged subjects and meters refused,
/// credentials kept apart (API keys never on portal routes, portal tokens nowhere else), and an
/// invalidation refused at once, also by an open live stream.
/// </summary>
public sealed class PortalApiTests(TallyServerFixture server) : IClassFixture<TallyServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_SubjectOnly_Answers200InOpenMetersShapeWithAOneHourToken()
    {
        var key = await server.CreateTenantAsync("portal-shape");

        var created = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/portal/tokens", key, new { subject = "cust-1" });

        Assert.Equal(["allowedMeterSlugs", "createdAt", "expiresAt", "id", "subject", "token"], created.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("cust-1", created.GetProperty("subject").GetString());
        Assert.Equal(0, created.GetProperty("allowedMeterSlugs").GetArrayLength());
        Assert.StartsWith("ptk_", created.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Matches("^tpt_[A-Za-z0-9_-]{43}$", created.GetProperty("token").GetString());
        Assert.Equal(TimeSpan.FromHours(1), Instant(created, "expiresAt") - Instant(created, "createdAt"));
    }

    [Theory]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "subject")]
    [InlineData("""{"subject":"c","allowedMeterSlugs":[]}""", HttpStatusCode.BadRequest, "allowedMeterSlugs")]
    [InlineData("""{"subject":"c","expiresAt":"2020-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "expiresAt")]
    [InlineData("""{"subject":"c","expiresAt":"2099-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "expiresAt")]
    [InlineData("""{"subject":"c","allowedMeterSlugs":["nope"]}""", HttpStatusCode.NotFound, null)]
    public async Task Create_Invalid_IsRefusedNamingTheField(string body, HttpStatusCode expected, string? field)
    {
        var key = await server.CreateTenantAsync("portal-invalid");

        var (status, problem) = await server.SendAsync(HttpMethod.Post, "/api/v1/portal/tokens", key, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(expected, status);
        if (field is not null)
        {
            Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
        }

        Assert.Equal(0, (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/portal/tokens", key)).GetArrayLength());
    }

    [Fact]
    public async Task List_Tokens_NewestFirstWithoutSecretsAndWithoutInvalidatedOnes()
    {
        var key = await server.CreateTenantAsync("portal-list");
        var first = await CreateTokenAsync(key, "cust-1");
        var second = await CreateTokenAsync(key, "cust-2");
        var third = await CreateTokenAsync(key, "cust-3");
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", key, new { id = second.Id });

        var listed = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/portal/tokens", key);
        var limited = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/portal/tokens?limit=1", key);

        Assert.Equal([third.Id, first.Id], listed.EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.All(listed.EnumerateArray(), t => Assert.False(t.TryGetProperty("token", out _)));
        Assert.Equal([third.Id], limited.EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var (status, _) = await server.SendAsync(HttpMethod.Get, "/api/v1/portal/tokens?limit=101", key, null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task PortalQuery_TokenOfOneSubject_SeesOnlyThatSubjectGroupedBySubject()
    {
        var key = await server.CreateTenantAsync("portal-query");
        await SetUpUsageAsync(key);
        var token = await CreateTokenAsync(key, "cust-1", "tokens");

        var all = await PortalAsync(HttpStatusCode.OK, "/api/v1/portal/meters/tokens/query", token.Secret);
        var byModel = await PortalAsync(HttpStatusCode.OK, "/api/v1/portal/meters/tokens/query?groupBy=model&windowSize=DAY&windowTimeZone=Europe/Budapest", token.Secret);
        var csv = await PortalCsvAsync("/api/v1/portal/meters/tokens/query?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", token.Secret);
        var meters = await PortalAsync(HttpStatusCode.OK, "/api/v1/portal/meters", token.Secret);
        var self = await PortalAsync(HttpStatusCode.OK, "/api/v1/portal/token", token.Secret);

        Assert.Equal("""[{"value":30,"subject":"cust-1","groupBy":{}}]""", Rows(all));
        Assert.Equal("""[{"value":10,"subject":"cust-1","groupBy":{"model":"large"}},{"value":20,"subject":"cust-1","groupBy":{"model":"small"}}]""", Rows(byModel));
        Assert.Equal("window_start,window_end,subject,value\n2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,cust-1,30\n", csv);
        Assert.Equal("""[{"slug":"tokens","name":"tokens","aggregation":"SUM","groupBy":["model"]}]""", JsonSerializer.Serialize(meters));
        Assert.Equal("cust-1", self.GetProperty("subject").GetString());
        Assert.False(self.TryGetProperty("token", out _));
    }

    [Theory]
    [InlineData("/api/v1/portal/meters/tokens/query?subject=cust-2", HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/portal/meters/tokens/query?subject=cust-1&subject=cust-2", HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/portal/meters/calls/query", HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/portal/meters/calls/query/stream", HttpStatusCode.Forbidden)]
    [InlineData("/api/v1/portal/meters/tokens/query?filterCustomerId=cust-2", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/portal/meters/tokens/query?groupBy=customer_id", HttpStatusCode.BadRequest)]
    public async Task PortalQuery_ForgedSubjectOrMeter_IsRefused(string path, HttpStatusCode expected)
    {
        var key = await server.CreateTenantAsync("portal-forged");
        await SetUpUsageAsync(key);
        var token = await CreateTokenAsync(key, "cust-1", "tokens");

        var problem = await PortalAsync(expected, path, token.Secret);

        Assert.DoesNotContain("\"value\"", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortalQuery_MeterById_IsNotFound()
    {
        var key = await server.CreateTenantAsync("portal-by-id");
        await SetUpUsageAsync(key);
        var id = (await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens", key)).GetProperty("id").GetString();
        var token = await CreateTokenAsync(key, "cust-1");

        await PortalAsync(HttpStatusCode.NotFound, $"/api/v1/portal/meters/{id}/query", token.Secret);
    }

    [Fact]
    public async Task Credentials_EachKind_ReachOnlyItsOwnRoutes()
    {
        var key = await server.CreateTenantAsync("portal-credentials");
        await SetUpUsageAsync(key);
        var token = await CreateTokenAsync(key, "cust-1");

        var withKey = await PortalAsync(HttpStatusCode.Unauthorized, "/api/v1/portal/meters/tokens/query", key);
        var withAdmin = await PortalAsync(HttpStatusCode.Unauthorized, "/api/v1/portal/meters/tokens/query", TallyServerFixture.AdminToken);
        var (onMeters, meterProblem) = await server.SendAsync(HttpMethod.Get, "/api/v1/meters/tokens/query", token.Secret, null);
        var (onTokens, _) = await server.SendAsync(HttpMethod.Post, "/api/v1/portal/tokens", token.Secret, JsonContent("""{"subject":"cust-2"}"""));
        var (onAdmin, _) = await server.SendAsync(HttpMethod.Get, "/api/admin/tenants", token.Secret, null);
        using var bare = await server.Http.GetAsync("/api/v1/portal/meters/tokens/query", Ct);

        Assert.Contains("not a tenant API key", withKey.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("not a tenant API key", withAdmin.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, onMeters);
        Assert.Contains("portal token reads only the /api/v1/portal routes", meterProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, onTokens);
        Assert.Equal(HttpStatusCode.Unauthorized, onAdmin);
        Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
    }

    [Fact]
    public async Task Invalidate_ByIdOrSubject_IsRefusedOnTheNextRequest()
    {
        var key = await server.CreateTenantAsync("portal-invalidate");
        await SetUpUsageAsync(key);
        var one = await CreateTokenAsync(key, "cust-1");
        var two = await CreateTokenAsync(key, "cust-2");
        var three = await CreateTokenAsync(key, "cust-2");
        await PortalAsync(HttpStatusCode.OK, "/api/v1/portal/meters/tokens/query", one.Secret);

        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", key, new { id = one.Id });
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", key, new { subject = "cust-2" });

        var refused = await PortalAsync(HttpStatusCode.Unauthorized, "/api/v1/portal/meters/tokens/query", one.Secret);
        Assert.Contains("invalidated", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await PortalAsync(HttpStatusCode.Unauthorized, "/api/v1/portal/meters/tokens/query", two.Secret);
        await PortalAsync(HttpStatusCode.Unauthorized, "/api/v1/portal/meters/tokens/query", three.Secret);
        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", key, new { id = "ptk_missing" });
        await server.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", key, new { });
    }

    [Fact]
    public async Task Invalidate_AnotherTenantsToken_IsNotFoundAndLeavesItValid()
    {
        var owner = await server.CreateTenantAsync("portal-owner");
        var other = await server.CreateTenantAsync("portal-other");
        await SetUpUsageAsync(owner);
        var token = await CreateTokenAsync(owner, "cust-1");

        await server.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", other, new { id = token.Id });
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", other, new { subject = "cust-1" });

        await PortalAsync(HttpStatusCode.OK, "/api/v1/portal/meters/tokens/query", token.Secret);
    }

    [Fact]
    public async Task Stream_EventPosted_SendsTheNewResultAndEndsOnceTheTokenIsInvalidated()
    {
        var key = await server.CreateTenantAsync("portal-stream");
        await SetUpUsageAsync(key);
        var token = await CreateTokenAsync(key, "cust-1", "tokens");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/portal/meters/tokens/query/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Secret);
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));

        var first = await NextEventAsync(reader);
        await PostEventsAsync(key, ("cust-1", "small", 5, "2026-11-10T00:00:00Z"), ("cust-2", "small", 500, "2026-11-10T00:00:00Z"));
        var second = await NextEventAsync(reader);
        await server.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Post, "/api/v1/portal/tokens/invalidate", key, new { id = token.Id });
        var last = await NextEventAsync(reader);

        Assert.Equal(("result", """[{"value":30,"subject":"cust-1","groupBy":{}}]"""), (first.Name, Rows(first.Data)));
        Assert.Equal(("result", """[{"value":35,"subject":"cust-1","groupBy":{}}]"""), (second.Name, Rows(second.Data)));
        Assert.Equal("problem", last.Name);
        Assert.Equal(401, last.Data.GetProperty("status").GetInt32());
        Assert.Equal("", (await reader.ReadToEndAsync(Ct)).Trim());
    }

    private async Task SetUpUsageAsync(string key)
    {
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new
        {
            slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens", groupBy = new { model = "$.model" },
        });
        await server.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "calls", eventType = "prompt", aggregation = "COUNT" });
        await PostEventsAsync(key, ("cust-1", "small", 20, "2026-11-02T10:00:00Z"), ("cust-1", "large", 10, "2026-11-02T11:00:00Z"), ("cust-2", "large", 1000, "2026-11-02T11:00:00Z"));
    }

    private async Task PostEventsAsync(string key, params (string Subject, string Model, int Tokens, string Time)[] events)
    {
        var before = await TotalAsync(key);
        var body = JsonSerializer.Serialize(events.Select(e => new
        {
            specversion = "1.0", id = Guid.NewGuid().ToString(), source = "test", type = "prompt", subject = e.Subject, time = e.Time,
            data = new { tokens = e.Tokens, model = e.Model },
        }));
        var (status, _) = await server.PostEventsAsync(key, body);
        Assert.Equal(HttpStatusCode.NoContent, status);
        await Eventually.EqualsAsync(before + events.Sum(e => e.Tokens), () => TotalAsync(key), TimeSpan.FromSeconds(60));
    }

    private async Task<decimal> TotalAsync(string key)
    {
        var result = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query", key);
        return result.GetProperty("data").EnumerateArray().Sum(row => row.GetProperty("value").GetDecimal());
    }

    private async Task<(string Id, string Secret)> CreateTokenAsync(string key, string subject, params string[] meters)
    {
        var created = await server.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/portal/tokens", key,
            meters.Length == 0 ? new { subject } : new { subject, allowedMeterSlugs = meters });
        return (created.GetProperty("id").GetString()!, created.GetProperty("token").GetString()!);
    }

    private async Task<JsonElement> PortalAsync(HttpStatusCode expected, string path, string bearer)
    {
        var (status, body) = await server.SendAsync(HttpMethod.Get, path, bearer, null);
        Assert.True(status == expected, $"GET {path}: expected {(int)expected}, got {(int)status}: {body}");
        return body;
    }

    private async Task<string> PortalCsvAsync(string path, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await server.Http.SendAsync(request, Ct);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static async Task<(string Name, JsonElement Data)> NextEventAsync(StreamReader reader)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        string? name = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                return (name, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
            }
        }

        throw new InvalidOperationException("The stream ended before the next event.");
    }

    /// <summary>The rows without their windows (which depend on when the events arrived), as JSON.</summary>
    private static string Rows(JsonElement result) => JsonSerializer.Serialize(result.GetProperty("data").EnumerateArray().Select(row => new
    {
        value = row.GetProperty("value").GetDecimal(),
        subject = row.GetProperty("subject").GetString(),
        groupBy = row.GetProperty("groupBy"),
    }));

    private static DateTimeOffset Instant(JsonElement element, string name) =>
        DateTimeOffset.Parse(element.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");
}
