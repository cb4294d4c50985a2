using System.Globalization;
using System.Net;
using System.Text.Json;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// The ingest gateway in Kafka mode keeps acknowledging through a Kafka outage from its local buffer and forwards
/// everything once Kafka is back; every acknowledged event is counted exactly once. Kafka is librdkafka's mock
/// cluster in a process of its own (<c>tally kafka-mock --port</c>), so it can be frozen (SIGSTOP: brokers that
/// stop answering) and killed and started again on the same port (brokers gone, then back).
/// </summary>
/// <remarks>
/// The mock keeps its data in memory: started again, it is an empty cluster (no topic, no consumer group offsets),
/// as a real cluster would be after losing every replica. That is a different disaster from the one the buffer is
/// for, and the test keeps it out of the way twice over. Records Kafka acknowledged and the aggregator had not read
/// would be lost with the mock, so before killing it the senders pause until every acknowledged event is counted
/// (the outage itself then runs under load). And an aggregator that lived through the loss would go on fetching
/// the recreated partitions at its old positions, skipping whatever the new topic holds below them (librdkafka
/// resets a position only when it lies past the end), so the aggregator shares the mock's lifecycle: killed with
/// it, started after it, it reads the new topic from its start and counts by event identity, which makes the reused
/// log positions harmless. The frozen phase (SIGSTOP) loses nothing and keeps every process alive.
/// </remarks>
public sealed class KafkaOutageTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_kafka-outage";
    private const int Senders = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TallyProcesses _processes = new("tally-outage-");
    private readonly int _kafkaPort = FreePorts.Next();
    private readonly int _ingestPort = FreePorts.Next();
    private Dictionary<string, string> _shared = [];
    private TallyProcess? _mock;
    private PipelineApi? _client;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Gateway_KafkaFrozenThenKilledAndRestartedUnderLoad_AcknowledgesThroughoutAndCountsEveryAcknowledgedEventOnce()
    {
        var (client, key, _, aggregator) = await StartAsync();
        await using var senders = new EventSenders(client, key, Senders);
        senders.Resume();
        await senders.AcknowledgedAtLeastAsync(400, Timeout);

        // Kafka stops answering (frozen brokers keep their connections and data): the gateway keeps acknowledging.
        Signal(_mock!, "STOP");
        var frozenAt = senders.Acknowledged;
        await senders.AcknowledgedAtLeastAsync(frozenAt + 1500, Timeout);
        Assert.True((await ReadyAsync(client)).Pending > 0, "nothing waited for the frozen Kafka");
        Signal(_mock!, "CONT");

        // Kafka goes away (connections refused), once the aggregator has read what it holds, and comes back empty.
        await senders.PauseAsync();
        await CountedAsync(client, key, senders);
        await _mock!.KillAsync();
        await aggregator.KillAsync();
        senders.Resume();
        var unreachable = await ReadyWhenAsync(client, ready => ready.KafkaReachable == false);
        Assert.Equal((HttpStatusCode.OK, "Degraded"), (unreachable.Code, unreachable.Status));
        var killedAt = senders.Acknowledged;
        await senders.AcknowledgedAtLeastAsync(killedAt + 1500, Timeout);
        var backlog = await ReadyAsync(client);
        Assert.True(backlog.Pending >= 1500 - (Senders * 21), $"only {backlog.Pending} events wait for Kafka");
        _mock = await _processes.StartKafkaMockAsync(_kafkaPort);
        await TallyProcesses.UpAsync(_processes.Server("aggregator", _shared, FreePorts.Next(), "aggregator-restarted"));
        await senders.AcknowledgedAtLeastAsync(senders.Acknowledged + 500, Timeout);
        await senders.PauseAsync();

        Assert.Empty(senders.Refusals);
        var drained = await ReadyWhenAsync(client, ready => ready.Pending == 0 && ready.Status == "Healthy");
        Assert.Equal(HttpStatusCode.OK, drained.Code);
        await CountedAsync(client, key, senders);
        Assert.Equal(senders.AcknowledgedMs, await client.MeterTotalAsync(key, "ms"));
    }

    [Fact]
    public async Task Gateway_SigkilledWithEventsInItsBufferWhileKafkaIsDown_ForwardsThemAfterRestartAndCountsEachOnce()
    {
        var (client, key, gateway, aggregator) = await StartAsync();
        await using var senders = new EventSenders(client, key, Senders);
        senders.Resume();
        await senders.AcknowledgedAtLeastAsync(200, Timeout);
        await senders.PauseAsync();
        await CountedAsync(client, key, senders);

        // Kafka away (the aggregator with it, see the remarks), events acknowledged into the buffer, then the gateway
        // dies without a chance to forward them.
        await _mock!.KillAsync();
        await aggregator.KillAsync();
        senders.Resume();
        await senders.AcknowledgedAtLeastAsync(senders.Acknowledged + 600, Timeout);
        await senders.PauseAsync();
        var before = await ReadyWhenAsync(client, ready => ready.KafkaReachable == false);
        await gateway.KillAsync();

        // Started again on the same data directory while Kafka is still away: it takes events, its backlog intact.
        gateway = _processes.Server("ingest", _shared, _ingestPort, "ingest-restarted");
        await TallyProcesses.UpAsync(gateway);
        var after = await ReadyAsync(client);
        Assert.Equal((before.Pending, "Degraded"), (after.Pending, after.Status));
        senders.Resume();
        await senders.AcknowledgedAtLeastAsync(senders.Acknowledged + 200, Timeout);
        _mock = await _processes.StartKafkaMockAsync(_kafkaPort);
        await TallyProcesses.UpAsync(_processes.Server("aggregator", _shared, FreePorts.Next(), "aggregator-restarted"));
        await senders.AcknowledgedAtLeastAsync(senders.Acknowledged + 200, Timeout);
        await senders.PauseAsync();

        Assert.Empty(senders.Refusals);
        await CountedAsync(client, key, senders);
        Assert.Equal(senders.AcknowledgedMs, await client.MeterTotalAsync(key, "ms"));
        Assert.Contains($"{before.Pending} records not yet in Kafka topic", gateway.Output, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.All)
        {
            Signal(process, "CONT");
        }

        _client?.Dispose();
        await _processes.DisposeAsync();
    }

    private static void Signal(TallyProcess process, string signal)
    {
        if (!process.HasExited)
        {
            System.Diagnostics.Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        }
    }

    private static Task CountedAsync(PipelineApi client, string key, EventSenders senders) =>
        Eventually.EqualsAsync((decimal)senders.Acknowledged, () => client.MeterTotalAsync(key, "calls"), Timeout);

    private static async Task<Readiness> ReadyAsync(PipelineApi client)
    {
        var (status, body) = await client.SendAsync(HttpMethod.Get, "/readyz", null, ingest: true);
        var check = body.GetProperty("checks").GetProperty("event-log");
        var data = check.GetProperty("data");
        var reachable = data.GetProperty("kafkaReachable");
        return new(status, check.GetProperty("status").GetString()!, data.GetProperty("pendingRecords").GetInt64(),
            reachable.ValueKind == JsonValueKind.String ? null : reachable.GetBoolean());
    }

    private static async Task<Readiness> ReadyWhenAsync(PipelineApi client, Func<Readiness, bool> holds)
    {
        Readiness? last = null;
        await Eventually.EqualsAsync(true, async () => holds(last = await ReadyAsync(client)), Timeout);
        return last!;
    }

    /// <summary>Kafka (the mock, on a fixed port), the shared ClickHouse, a gateway, an aggregator and the API; a tenant with its meters.</summary>
    private async Task<(PipelineApi Client, string Key, TallyProcess Gateway, TallyProcess Aggregator)> StartAsync()
    {
        _mock = await _processes.StartKafkaMockAsync(_kafkaPort);
        var connection = await _processes.StartClickHouseAsync("kafka-outage");
        _shared = new Dictionary<string, string>
        {
            ["TALLY_ADMIN_TOKEN"] = AdminToken,
            ["TALLY_Kafka__BootstrapServers"] = $"127.0.0.1:{_kafkaPort}",
            ["TALLY_ClickHouse__ConnectionString"] = connection,
            ["TALLY_Kafka__Settings__session.timeout.ms"] = "6000",
            ["TALLY_Kafka__Settings__heartbeat.interval.ms"] = "500",

            // Back within a second of Kafka's return, not librdkafka's ten.
            ["TALLY_Kafka__Settings__reconnect.backoff.max.ms"] = "1000",
            ["TALLY_Aggregator__MaxWaitMilliseconds"] = "50",
        };
        var apiPort = FreePorts.Next();
        var gateway = _processes.Server("ingest", _shared, _ingestPort);
        var aggregator = _processes.Server("aggregator", _shared, FreePorts.Next());
        var api = _processes.Server("api", _shared, apiPort);
        await TallyProcesses.UpAsync(gateway, aggregator, api);

        var client = _client = new PipelineApi(new Uri($"http://127.0.0.1:{_ingestPort}"), new Uri($"http://127.0.0.1:{apiPort}"));
        var key = await client.CreateTenantAsync(AdminToken, "Outage");
        await client.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "calls", eventType = EventSenders.EventType, aggregation = "COUNT" });
        await client.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key, new { slug = "ms", eventType = EventSenders.EventType, aggregation = "SUM", valueProperty = "$.ms" });
        return (client, key, gateway, aggregator);
    }

    /// <summary>What the gateway's <c>/readyz</c> says of its buffer.</summary>
    private sealed record Readiness(HttpStatusCode Code, string Status, long Pending, bool? KafkaReachable);
}
