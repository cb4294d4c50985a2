using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tally.EndToEnd;
using Tally.Host.Hosting;
using Tally.Tests.Support;

namespace Tally.Tests.Hosting;

/// <summary>
/// A single fault stays a single failed request: a defect inside a request is a 500 problem with a
/// trace id and the server keeps serving; a full ledger disk is a 503 that heals when space returns.
/// </summary>
public sealed class FaultIsolationTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_fault-isolation";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-faults-").FullName;
    private readonly HttpClient _http = new();
    private WebApplication? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Request_ThrowsNullReference_Answers500ProblemWithTraceIdAndServerKeepsWorking()
    {
        await StartAsync(app => app.MapGet("/test/null-reference", (HttpContext _) =>
        {
            string? missing = null;
            return Results.Ok(missing!.Length);
        }));

        using var failed = await _http.GetAsync("/test/null-reference", Ct);
        var problem = await ReadJsonAsync(failed);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://tally.dev/problems/internal", problem.GetProperty("type").GetString());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", problem.GetProperty("traceId").GetString());

        // The normal path, end to end, on the same server.
        var key = await CreateTenantAsync("after-the-fault");
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        using var ingest = await SendAsync(HttpMethod.Post, "/api/v1/events", key, null,
            new StringContent("""{"specversion":"1.0","id":"e1","source":"s","type":"prompt","subject":"c1","data":{"tokens":7}}""", MediaTypeHeaderValue.Parse("application/cloudevents+json")));
        Assert.Equal(HttpStatusCode.NoContent, ingest.StatusCode);
        await Eventually.EqualsAsync(7m, async () =>
        {
            var query = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/tokens/query", key);
            return query.GetProperty("data").EnumerateArray().Sum(v => v.GetProperty("value").GetDecimal());
        }, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task CreatePlan_RateCardsHoldsNull_Answers400NamingTheEntry()
    {
        await StartAsync();
        var key = await CreateTenantAsync("plans");

        var problem = await ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/v1/plans", key,
            JsonDocument.Parse("""{"key":"pro","name":"Pro","currency":"USD","billingCadence":"P1M","phases":[{"key":"default","name":"Default","duration":null,"rateCards":[null]}]}""").RootElement);

        Assert.Equal("phases[0].rateCards[0]", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/plans", key);
    }

    [Fact]
    public async Task Ledger_DiskFull_Answers503StorageFullThenHealsWhenSpaceReturns()
    {
        using var disk = Tmpfs.TryMount(kilobytes: 2048, out var reason);
        if (disk is null)
        {
            Assert.Skip(reason);
        }

        await StartAsync(configuration: new() { ["Ledger:SqlitePath"] = Path.Combine(disk.Path, "ledger.db") });
        var key = await CreateTenantAsync("full-disk");
        disk.Fill();

        using var refused = await SendAsync(HttpMethod.Post, "/api/v1/customers", key, new { key = "c1", name = new string('n', 200) });
        var problem = await ReadJsonAsync(refused);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("https://tally.dev/problems/storage-full", problem.GetProperty("type").GetString());
        Assert.Equal("5", refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

        disk.Resize(kilobytes: 8192);
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/customers", key, new { key = "c1", name = "Customer One" });
        var customers = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/customers", key);
        Assert.Equal(["c1"], customers.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task EventLog_DiskFull_RefusedBatchIsNeverCountedAndIngestHealsWhenSpaceReturns()
    {
        using var disk = Tmpfs.TryMount(kilobytes: 4096, out var reason);
        if (disk is null)
        {
            Assert.Skip(reason);
        }

        await StartAsync(configuration: new() { ["EventLog:Directory"] = Path.Combine(disk.Path, "log") });
        var key = await CreateTenantAsync("full-log");
        await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "calls", eventType = "call", aggregation = "COUNT" });
        Assert.Equal(HttpStatusCode.NoContent, await PostEventsAsync(key, "before", 100));
        disk.Fill();

        var refused = await PostEventsAsync(key, "refused", 2_000);
        using var ready = await _http.GetAsync("/readyz", Ct);
        disk.Resize(kilobytes: 65536);
        var after = await PostEventsAsync(key, "after", 100);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.NoContent), (refused, ready.StatusCode, after));
        // "after" was written behind the refused batch in every partition: once it is counted, the refused batch could have been too.
        await Eventually.EqualsAsync(200m, async () =>
        {
            var query = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/calls/query?groupBy=subject", key);
            return query.GetProperty("data").EnumerateArray().Sum(v => v.GetProperty("value").GetDecimal());
        }, TimeSpan.FromSeconds(60));
        var bySubject = await ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/meters/calls/query?groupBy=subject", key);
        Assert.Equal([("after", 100m), ("before", 100m)], bySubject.GetProperty("data").EnumerateArray()
            .Select(r => (r.GetProperty("subject").GetString()!, r.GetProperty("value").GetDecimal())).OrderBy(r => r.Item1));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    private async Task StartAsync(Action<WebApplication>? routes = null, Dictionary<string, string?>? configuration = null)
    {
        var port = FreePorts.Next();
        var settings = new ServeSettings(TallyRoles.All, _dataDir, port)
        {
            Configuration = new Dictionary<string, string?>(configuration ?? []) { ["Admin:Token"] = AdminToken },
        };
        _app = TallyServer.Build(settings);
        routes?.Invoke(_app);
        await _app.StartAsync(Ct);
        _http.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>Posts one batch of <paramref name="count"/> events of subject <paramref name="batch"/>, ids unique across batches.</summary>
    private async Task<HttpStatusCode> PostEventsAsync(string key, string batch, int count)
    {
        var events = Enumerable.Range(0, count).Select(i => new
        {
            specversion = "1.0", id = $"{batch}-{i}", source = "fault-test", type = "call", subject = batch,
            time = "2026-11-02T10:00:00Z", data = new { padding = new string('p', 200) },
        });
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/events", key, null,
            new StringContent(JsonSerializer.Serialize(events), MediaTypeHeaderValue.Parse("application/cloudevents-batch+json")));
        return response.StatusCode;
    }

    private async Task<string> CreateTenantAsync(string name) =>
        (await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/admin/tenants", AdminToken, new { name })).GetProperty("apiKey").GetString()!;

    private async Task<JsonElement> ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, string bearer, object? json = null)
    {
        using var response = await SendAsync(method, path, bearer, json);
        var body = await ReadJsonAsync(response);
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string bearer, object? json, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content ?? (json is null ? null : JsonContent.Create(json)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await _http.SendAsync(request, Ct);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
