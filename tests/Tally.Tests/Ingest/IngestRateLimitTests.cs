using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tally.Billing.EventLog;
using Tally.Billing.Tenants;
using Tally.Host.Hosting;
using Tally.ServiceDefaults;

namespace Tally.Tests.Ingest;

/// <summary>Per-tenant rate limits and the API-key cache on an ingest-only server with a fake clock and a recording log.</summary>
public sealed class IngestRateLimitTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-limits-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly List<LogRecord> _appended = [];
    private readonly HttpClient _http = new();
    private WebApplication? _app;
    private Tenant? _tenant;
    private string _key = "";

    public async ValueTask InitializeAsync()
    {
        var port = FreePorts.Next();
        _app = TallyServer.Build(
            new ServeSettings(TallyRoles.Ingest, _dataDir, port) { Configuration = new Dictionary<string, string?> { ["Ingest:RequestsPerSecond"] = "2" } },
            services => services.AddSingleton<TimeProvider>(_clock).AddSingleton<IEventLog>(new Recorder(_appended)));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        (_tenant, _key) = await Tenants.CreateAsync("acme", TestContext.Current.CancellationToken);
        _http.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    private ITenantStore Tenants => _app!.Services.GetRequiredService<ITenantStore>();

    [Fact]
    public async Task Post_MoreRequestsPerSecondThanTheLimit_Answers429WithRetryAfterUntilTimePasses()
    {
        var first = await PostAsync(1);
        var second = await PostAsync(1);
        var third = await PostAsync(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var later = await PostAsync(1);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.TooManyRequests, HttpStatusCode.NoContent), (first.Status, second.Status, third.Status, later.Status));
        Assert.Equal("1", third.RetryAfter);
        Assert.Equal("https://tally.dev/problems/rate-limited", third.Body.GetProperty("type").GetString());
        Assert.StartsWith("This tenant sent more than 2 requests per second;", third.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, _appended.Count);
    }

    [Fact]
    public async Task Post_TenantsOwnEventLimit_AllowsOneFullBatchThenRefusesUntilRefilled()
    {
        await Tenants.SetRateLimitsAsync(_tenant!.Id, 1_000, 100, TestContext.Current.CancellationToken);
        _app!.Services.GetRequiredService<ApiKeyCache>().Clear();

        var burst = await PostAsync(10_000);
        var over = await PostAsync(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var refilled = await PostAsync(100);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.TooManyRequests, HttpStatusCode.NoContent), (burst.Status, over.Status, refilled.Status));
        Assert.Equal("1", over.RetryAfter);
        Assert.StartsWith("This tenant sent more than 100 events per second;", over.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(10_100, _appended.Count);
    }

    [Fact]
    public async Task Post_RevokedKey_WorksUntilTheCacheExpiresThenAnswers401()
    {
        var cache = _app!.Services.GetRequiredService<ApiKeyCache>();
        var before = await PostAsync(1);
        await Tenants.RevokeApiKeysAsync(_tenant!.Id, _key[..8], TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(29));
        var cached = await PostAsync(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var revoked = await PostAsync(1);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.Unauthorized), (before.Status, cached.Status, revoked.Status));
        Assert.Equal(2, cache.LedgerLookups);
    }

    [Fact]
    public async Task Post_KeysChangingOnOneKeepAliveConnection_EachIsVerifiedAsItself()
    {
        var (other, otherKey) = await Tenants.CreateAsync("globex", TestContext.Current.CancellationToken);
        var cache = _app!.Services.GetRequiredService<ApiKeyCache>();

        // A second apart each: the server allows 2 requests per second and tenant.
        var first = await PostAsync(1);
        var second = await PostAsync(1, otherKey);
        var bogus = await PostAsync(1, _key[..^1] + (_key[^1] == 'x' ? 'y' : 'x'));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var again = await PostAsync(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var repeated = await PostAsync(1);

        Assert.Equal(
            (HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.Unauthorized, HttpStatusCode.NoContent, HttpStatusCode.NoContent),
            (first.Status, second.Status, bogus.Status, again.Status, repeated.Status));
        Assert.Equal([_tenant!.Id, other.Id, _tenant.Id, _tenant.Id], _appended.Select(r => EventKey.TenantOf(r.Key) ?? "").ToArray());
        Assert.Equal(3, cache.LedgerLookups);
    }

    [Fact]
    public async Task Post_CacheClearedBetweenTwoRequestsOfOneConnection_AsksTheLedgerAgain()
    {
        var cache = _app!.Services.GetRequiredService<ApiKeyCache>();
        var before = await PostAsync(1);
        await Tenants.RevokeApiKeysAsync(_tenant!.Id, _key[..8], TestContext.Current.CancellationToken);
        cache.Clear();
        var after = await PostAsync(1);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.Unauthorized), (before.Status, after.Status));
        Assert.Equal(2, cache.LedgerLookups);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    private async Task<(HttpStatusCode Status, string? RetryAfter, JsonElement Body)> PostAsync(int events, string? apiKey = null)
    {
        var body = "[" + string.Join(',', Enumerable.Range(0, events).Select(i => $$"""{"specversion":"1.0","id":"{{Guid.NewGuid()}}","source":"s","type":"t","subject":"c"}""")) + "]";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent(body, Encoding.UTF8, "application/cloudevents-batch+json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? _key);
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, response.Headers.RetryAfter?.ToString(), text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private sealed class Recorder(List<LogRecord> appended) : IEventLog
    {
        public int PartitionCount => 1;

        public EventLogHealth Health => EventLogHealth.Healthy("recording");

        public ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
        {
            lock (appended)
            {
                appended.AddRange(records);
            }

            return ValueTask.CompletedTask;
        }

        public IEventLogConsumer OpenConsumer(string group) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
