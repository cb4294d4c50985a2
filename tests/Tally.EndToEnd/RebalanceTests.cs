using System.Globalization;
using System.Net;
using System.Text;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// Two aggregator processes share the Kafka implementation of the event log (librdkafka's mock
/// cluster). One is frozen with SIGSTOP while events flow, past its session timeout, so its partitions
/// move to the other; then it is resumed and may finish writing what it had read (a zombie). Every
/// aggregation must still equal the exact value of the events the clients meant, each counted once.
/// </summary>
public sealed class RebalanceTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_rebalance";
    private static readonly DateTimeOffset Epoch = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TallyProcesses _processes = new("tally-rebalance-");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Aggregators_OneFrozenPastItsSessionThenResumed_CountEveryEventOnce()
    {
        var bootstrap = await _processes.StartKafkaMockAsync();
        var connection = await _processes.StartClickHouseAsync("secret-of-the-rebalance-test");
        var shared = new Dictionary<string, string>
        {
            ["TALLY_ADMIN_TOKEN"] = AdminToken,
            ["TALLY_Kafka__BootstrapServers"] = bootstrap,
            ["TALLY_ClickHouse__ConnectionString"] = connection,
            ["TALLY_Kafka__Settings__session.timeout.ms"] = "6000",
            ["TALLY_Kafka__Settings__heartbeat.interval.ms"] = "500",
            ["TALLY_Aggregator__MaxBatchRecords"] = "25",
            ["TALLY_Aggregator__MaxWaitMilliseconds"] = "50",
        };
        var ingestPort = FreePorts.Next();
        var apiPort = FreePorts.Next();
        var ingest = _processes.Server("ingest", shared, ingestPort);
        var api = _processes.Server("api", shared, apiPort);
        var frozen = _processes.Server("aggregator", new(shared) { ["TALLY_EventIdentities__Directory"] = Path.Combine(_processes.DataDir, "identities-a") }, FreePorts.Next(), "aggregator-a");
        var steady = _processes.Server("aggregator", new(shared) { ["TALLY_EventIdentities__Directory"] = Path.Combine(_processes.DataDir, "identities-b") }, FreePorts.Next(), "aggregator-b");
        await TallyProcesses.UpAsync(ingest, api, frozen, steady);

        using var client = new PipelineApi(new Uri($"http://127.0.0.1:{ingestPort}"), new Uri($"http://127.0.0.1:{apiPort}"));
        var key = await client.CreateTenantAsync(AdminToken, "Rebalanced");
        foreach (var (slug, aggregation, property) in new[] { ("calls", "COUNT", (string?)null), ("ms", "SUM", "$.ms"), ("users", "UNIQUE_COUNT", "$.user"), ("latest", "LATEST", "$.ms") })
        {
            await client.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
                property is null ? new { slug, eventType = "call", aggregation } : new { slug, eventType = "call", aggregation, valueProperty = property });
        }

        // Both members share the partitions while the first 300 events are counted.
        await SendAsync(client, key, 0, 300);
        await Eventually.EqualsAsync(300m, () => client.MeterTotalAsync(key, "calls"), TimeSpan.FromMinutes(2));

        // Freeze one member while events flow; the other takes every partition after the session timeout.
        var sending = SendAsync(client, key, 300, 900, resendFrom: 0);
        await Eventually.EqualsAsync(true, async () => await client.MeterTotalAsync(key, "calls") >= 400m, TimeSpan.FromMinutes(2));
        Signal(frozen, "STOP");
        await steady.WaitForLineAsync("assigned partitions 0,1,2,3 of", TimeSpan.FromMinutes(1));
        await sending;
        await Eventually.EqualsAsync(900m, () => client.MeterTotalAsync(key, "calls"), TimeSpan.FromMinutes(2));
        // Taking over partitions the other member had committed, it first completed its identity index from the store.
        Assert.Contains("completing its identity index from the event store", steady.Output, StringComparison.Ordinal);

        // Resumed, the zombie may still write what it had read; the group then shares the partitions again.
        Signal(frozen, "CONT");
        await SendAsync(client, key, 900, 1000, resendFrom: 850);
        await Eventually.EqualsAsync(1000m, () => client.MeterTotalAsync(key, "calls"), TimeSpan.FromMinutes(2));

        Assert.Equal(
            (1000m, Enumerable.Range(0, 1000).Sum(n => (decimal)Ms(n)), 37m, Ms(999)),
            (await client.MeterTotalAsync(key, "calls"), await client.MeterTotalAsync(key, "ms"), await client.MeterTotalAsync(key, "users"), await client.MeterTotalAsync(key, "latest")));
    }

    private static int Ms(int n) => (n * 31 % 100) + 1;

    /// <summary>Events [from, to) in requests of 20, each request also re-sending one earlier event unchanged.</summary>
    private static async Task SendAsync(PipelineApi client, string key, int from, int to, int? resendFrom = null)
    {
        for (var batch = from; batch < to; batch += 20)
        {
            var events = Enumerable.Range(batch, Math.Min(20, to - batch)).Select(Event).ToList();
            if (resendFrom is { } earliest)
            {
                events.Add(Event(earliest + ((batch * 7) % (batch - earliest))));
            }

            var (status, problem) = await client.PostEventsAsync(key, "application/cloudevents-batch+json", "[" + string.Join(',', events) + "]");
            Assert.True(status == HttpStatusCode.NoContent, $"ingest answered {(int)status}: {problem}");
        }
    }

    private static string Event(int n) =>
        string.Create(CultureInfo.InvariantCulture, $$$"""{"specversion":"1.0","id":"ev-{{{n}}}","source":"rebalance","type":"call","subject":"cust-{{{n % 13}}}","time":"{{{Epoch.AddSeconds(n).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}}","data":{"ms":{{{Ms(n)}}},"user":"u{{{n % 37}}}"}}""");

    private static void Signal(TallyProcess process, string signal) =>
        System.Diagnostics.Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

    public async ValueTask DisposeAsync()
    {
        // Resume a member the test froze before its output is read and it is killed.
        foreach (var process in _processes.All)
        {
            Signal(process, "CONT");
        }

        await _processes.DisposeAsync();
    }
}
