using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.EventLog;
using Tally.Billing.Tenants;
using Tally.EventLog;
using Tally.EventLog.Kafka;
using Tally.Host.Hosting;
using Tally.Tests.EventLog;

namespace Tally.Tests.Ingest;

/// <summary>
/// An ingest gateway in Kafka mode (librdkafka's mock cluster) while Kafka is away: it keeps answering 204 from its
/// buffer, <c>/readyz</c> and <c>/metrics</c> show the backlog, a full buffer answers 503 and stores nothing of the
/// refused request, and once Kafka is back everything acknowledged reaches it.
/// </summary>
public sealed class BufferedIngestTests : IAsyncLifetime
{
    private const int EventsPerRequest = 100;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-buffered-ingest-").FullName;
    private readonly MockKafkaCluster _cluster = new();
    private readonly string _topic = $"tally-ingest-{Guid.NewGuid():N}";
    private readonly HttpClient _http = new();
    private WebApplication? _app;
    private string _key = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var port = FreePorts.Next();
        _app = TallyServer.Build(new ServeSettings(TallyRoles.Ingest, _dataDir, port)
        {
            Configuration = new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = _cluster.BootstrapServers,
                ["Kafka:Topic"] = _topic,
                ["EventLog:BufferMaxBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });
        await _app.StartAsync(Ct);
        (_, _key) = await _app.Services.GetRequiredService<ITenantStore>().CreateAsync("buffered", Ct);
        _http.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    [Fact(Timeout = 300_000)]
    public async Task Post_KafkaDown_AcknowledgedUntilTheBufferIsFullThen503AndEverythingAcknowledgedReachesKafka()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync("first")).Status);
        await ReadyWhenAsync(ready => ready.Pending == 0);
        _cluster.TakeDown();

        // Acknowledged from the buffer: ready, degraded once the forwarder finds Kafka gone, with the backlog.
        var acknowledged = new List<string> { "first" };
        for (var request = 0; request < 3; request++)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await PostAsync($"down-{request}")).Status);
            acknowledged.Add($"down-{request}");
        }

        var degraded = await ReadyWhenAsync(ready => ready.Status == "Degraded");
        Assert.Equal((HttpStatusCode.OK, 300L, false), (degraded.Code, degraded.Pending, degraded.Buffer.GetProperty("kafkaReachable").GetBoolean()));

        // Filled: the refused request is answered 503 and leaves nothing behind.
        (HttpStatusCode Status, JsonElement Body, RetryConditionHeaderValue? RetryAfter) refused = default;
        for (var request = 3; refused.Status != HttpStatusCode.ServiceUnavailable; request++)
        {
            Assert.True(request < 20, "the 1 MiB buffer never filled");
            refused = await PostAsync($"down-{request}");
            if (refused.Status == HttpStatusCode.NoContent)
            {
                acknowledged.Add($"down-{request}");
            }
        }

        var full = await ReadyAsync();
        Assert.Equal(
            ("https://tally.dev/problems/ingest-buffer-full", TimeSpan.FromSeconds(5), HttpStatusCode.ServiceUnavailable, "Unhealthy", true, (acknowledged.Count - 1L) * EventsPerRequest),
            (refused.Body.GetProperty("type").GetString(), refused.RetryAfter?.Delta, full.Code, full.Status, full.Buffer.GetProperty("full").GetBoolean(), full.Pending));
        var metrics = await _http.GetStringAsync("/metrics", Ct);
        Assert.Contains("tally_ingest_buffer_pending", metrics, StringComparison.Ordinal);
        Assert.Contains("tally_ingest_buffer_refused", metrics, StringComparison.Ordinal);

        // Back: the backlog drains, the gateway is ready and takes the refused request.
        _cluster.BringUp();
        var drained = await ReadyWhenAsync(ready => ready is { Status: "Healthy", Pending: 0 });
        Assert.Equal(HttpStatusCode.OK, drained.Code);
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync("retried")).Status);
        acknowledged.Add("retried");

        var ids = await ReadKafkaIdsAsync(acknowledged.Count * EventsPerRequest);
        Assert.Equal(
            acknowledged.SelectMany(r => Enumerable.Range(0, EventsPerRequest).Select(i => $"{r}-{i}")).Order(StringComparer.Ordinal),
            ids.Distinct().Order(StringComparer.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        _cluster.BringUp();
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        _cluster.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    private async Task<Readiness> ReadyWhenAsync(Func<Readiness, bool> holds)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var ready = await ReadyAsync();
            if (holds(ready))
            {
                return ready;
            }

            Assert.True(clock.Elapsed < Deadline, $"/readyz still {ready.Code} {ready.Status} with {ready.Pending} pending after {Deadline}");
            await Task.Delay(100, Ct);
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, RetryConditionHeaderValue? RetryAfter)> PostAsync(string request)
    {
        var events = Enumerable.Range(0, EventsPerRequest).Select(i => new
        {
            specversion = "1.0", id = $"{request}-{i}", source = "buffered", type = "call", subject = $"customer-{i % 7}",
            data = new { padding = new string('p', 2000) },
        });
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = new StringContent(JsonSerializer.Serialize(events), Encoding.UTF8, "application/cloudevents-batch+json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        using var response = await _http.SendAsync(message, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Headers.RetryAfter);
    }

    private async Task<Readiness> ReadyAsync()
    {
        using var response = await _http.GetAsync("/readyz", Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
        var check = body.GetProperty("checks").GetProperty("event-log");
        var data = check.GetProperty("data");
        return new(response.StatusCode, check.GetProperty("status").GetString()!, data.GetProperty("pendingRecords").GetInt64(), data);
    }

    private async Task<List<string>> ReadKafkaIdsAsync(int count)
    {
        await using var kafka = new KafkaEventLog(new KafkaOptions { BootstrapServers = _cluster.BootstrapServers, Topic = _topic });
        await using var consumer = kafka.OpenConsumer("check");
        var ids = new List<string>();
        var clock = Stopwatch.StartNew();
        while (ids.Count < count)
        {
            Assert.True(clock.Elapsed < Deadline, $"read {ids.Count} of {count} events from Kafka");
            if (await consumer.ReadAsync(500, TimeSpan.FromSeconds(1), Ct) is { } batch)
            {
                ids.AddRange(batch.Records.Select(r => JsonDocument.Parse(r.Value).RootElement.GetProperty("id").GetString()!));
            }
        }

        return ids;
    }

    /// <summary>What <c>/readyz</c> says of the event log: HTTP status, the check's status, pending records, the buffer's data.</summary>
    private sealed record Readiness(HttpStatusCode Code, string Status, long Pending, JsonElement Buffer);
}
