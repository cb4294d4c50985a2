using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.EventLog;
using Tally.Billing.Meters;
using Tally.Billing.Tenants;
using Tally.Host.Hosting;
using Tally.Ingest.Meters;
using Tally.ServiceDefaults;

namespace Tally.Tests.Ingest;

/// <summary><c>POST /api/v1/events</c> on a server with only the ingest role, the event log replaced by a recorder.</summary>
public sealed class IngestEndpointTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-ingest-").FullName;
    private readonly RecordingLog _log = new();
    private readonly HttpClient _http = new();
    private WebApplication? _app;
    private string _key = "";

    public async ValueTask InitializeAsync()
    {
        var port = FreePorts.Next();
        _app = TallyServer.Build(new ServeSettings(TallyRoles.Ingest, _dataDir, port), services => services.AddSingleton<IEventLog>(_log));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        (_, _key) = await _app.Services.GetRequiredService<ITenantStore>().CreateAsync("acme", TestContext.Current.CancellationToken);
        _http.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    [Fact]
    public async Task Post_ValidBatch_AppendsNormalizedEventsKeyedByIdentityThenAnswers204()
    {
        var (status, _) = await PostAsync(_key, "application/cloudevents-batch+json",
            """[{"specversion":"1.0","id":"a","source":"s","type":"t","subject":"c1","time":"2026-11-25T10:00:00Z","data":{"n":1}},{"specversion":"1.0","id":"b","source":"s","type":"t","subject":"c2","time":"2026-11-25T10:00:00Z"}]""");

        Assert.Equal(HttpStatusCode.NoContent, status);
        var tenant = Assert.Single(await _app!.Services.GetRequiredService<ITenantStore>().ListAsync(TestContext.Current.CancellationToken));
        Assert.Equal([$"{tenant.Id}:s:a", $"{tenant.Id}:s:b"], _log.Appended.Select(r => r.Key));
        var json = Encoding.UTF8.GetString(_log.Appended[0].Value.Span);
        Assert.Matches("""^\{"specversion":"1\.0","id":"a","source":"s","type":"t","subject":"c1","time":"2026-11-25T10:00:00Z","tallyingested":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z","data":\{"n":1\}\}$""", json);
    }

    [Fact]
    public async Task Post_InvalidEvent_Answers400NamingTheFieldAndAppendsNothing()
    {
        var (status, body) = await PostAsync(_key, "application/cloudevents+json", """{"specversion":"1.0","id":"a","source":"s","subject":"c1"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("type", body.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.Empty(_log.Appended);
    }

    [Fact]
    public async Task Post_EventItsMeterCannotMeasure_Answers400NamingIndexPathAndMeterAndAppendsNothing()
    {
        await CreateMeterAsync("tokens", "prompt", "$.tokens");

        var (status, body) = await PostAsync(_key, "application/cloudevents-batch+json",
            """[{"specversion":"1.0","id":"a","source":"s","type":"prompt","subject":"c1","data":{"tokens":5}},{"specversion":"1.0","id":"b","source":"s","type":"prompt","subject":"c1","data":{"tokens":"abc"}}]""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("https://tally.dev/problems/validation", body.GetProperty("type").GetString());
        Assert.Equal("[1].data.tokens", body.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(
            "cannot be measured by meter 'tokens': value property \"$.tokens\" is the string \"abc\"; it must be a number or a numeric string; fix the event or the meter.",
            body.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Empty(_log.Appended);
    }

    [Fact]
    public async Task Post_ManyRequests_ReadMetersOnceAndAChangeAppliesAtOnce()
    {
        var catalog = _app!.Services.GetRequiredService<TenantMeterCatalog>();
        for (var i = 0; i < 5; i++)
        {
            var (status, _) = await PostAsync(_key, "application/cloudevents+json", $$$"""{"specversion":"1.0","id":"e{{{i}}}","source":"s","type":"prompt","subject":"c1","data":{"tokens":"abc"}}""");
            Assert.Equal(HttpStatusCode.NoContent, status);
        }

        await CreateMeterAsync("tokens", "prompt", "$.tokens");
        var tenant = Assert.Single(await _app.Services.GetRequiredService<ITenantStore>().ListAsync(TestContext.Current.CancellationToken));
        _app.Services.GetRequiredService<MeterChanges>().Publish(tenant.Id);
        var (refused, body) = await PostAsync(_key, "application/cloudevents+json", """{"specversion":"1.0","id":"x","source":"s","type":"prompt","subject":"c1","data":{"tokens":"abc"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("data.tokens", body.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(2, catalog.Loads);
        Assert.Equal(5, _log.Appended.Count);
    }

    [Fact]
    public async Task Post_WrongContentType_Answers415()
    {
        var (status, body) = await PostAsync(_key, "text/plain", "hello");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("application/cloudevents+json", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnknownKey_Answers401ProblemAndAppendsNothing()
    {
        var (status, body) = await PostAsync("tly_unknown", "application/cloudevents+json", """{"specversion":"1.0","id":"a","source":"s","type":"t","subject":"c1"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized", body.GetProperty("title").GetString());
        Assert.Empty(_log.Appended);
    }

    [Fact]
    public async Task Post_EventLogFails_Answers503WithRetryAfter()
    {
        _log.Fail = true;

        var (status, body) = await PostAsync(_key, "application/cloudevents+json", """{"specversion":"1.0","id":"a","source":"s","type":"t","subject":"c1"}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Event log unavailable", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Post_IngestBufferFull_Answers503BufferFullWithRetryAfterAndAppendsNothing()
    {
        _log.Full = true;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = new StringContent("""{"specversion":"1.0","id":"a","source":"s","type":"t","subject":"c1"}""", Encoding.UTF8, "application/cloudevents+json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.Equal(
            (HttpStatusCode.ServiceUnavailable, "application/problem+json", TimeSpan.FromSeconds(5), "https://tally.dev/problems/ingest-buffer-full", "Ingest buffer full"),
            (response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter?.Delta, body.GetProperty("type").GetString(), body.GetProperty("title").GetString()));
        Assert.Empty(_log.Appended);
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

    private async Task CreateMeterAsync(string slug, string eventType, string valueProperty)
    {
        var tenant = Assert.Single(await _app!.Services.GetRequiredService<ITenantStore>().ListAsync(TestContext.Current.CancellationToken));
        await _app.Services.GetRequiredService<IMeterStore>().CreateAsync(
            new MeterDefinition(tenant.Id, "m_" + slug, slug, null, eventType, MeterAggregation.Sum, valueProperty, new Dictionary<string, string>(), DateTimeOffset.UtcNow),
            TestContext.Current.CancellationToken);
    }

    private async Task<(HttpStatusCode, JsonElement)> PostAsync(string key, string contentType, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private sealed class RecordingLog : IEventLog
    {
        public List<LogRecord> Appended { get; } = [];

        public bool Fail { get; set; }

        public bool Full { get; set; }

        public int PartitionCount => 1;

        public EventLogHealth Health => Fail ? EventLogHealth.Unhealthy("disk on fire") : EventLogHealth.Healthy("recording");

        public ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new IOException("disk on fire");
            }

            if (Full)
            {
                throw new EventLogFullException("The ingest buffer is full.");
            }

            Appended.AddRange(records);
            return ValueTask.CompletedTask;
        }

        public IEventLogConsumer OpenConsumer(string group) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
