using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Billing.EventLog;
using Tally.EventLog;
using Tally.EventLog.Embedded;
using Tally.EventLog.IngestBuffer;
using Tally.EventLog.Kafka;
using Xunit;

namespace Tally.Tests.EventLog;

/// <summary>
/// The ingest buffer in front of Kafka (librdkafka's mock cluster, one per test, taken down and brought up again to
/// play an outage): appends are acknowledged from the local buffer and reach Kafka in order, once, or twice after a
/// crash, never lost; a full buffer refuses an append whole; forwarded segments are deleted.
/// </summary>
public sealed class BufferedKafkaEventLogTests : IAsyncDisposable
{
    private const int KafkaPartitions = 4;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly MockKafkaCluster _cluster = new();
    private readonly TempDirectory _directory = new();
    private readonly KafkaOptions _kafka;
    private readonly List<IAsyncDisposable> _owned = [];

    public BufferedKafkaEventLogTests() => _kafka = new()
    {
        BootstrapServers = _cluster.BootstrapServers,
        Topic = $"tally-buffer-{Guid.NewGuid():N}",
        Settings = { ["session.timeout.ms"] = "6000", ["heartbeat.interval.ms"] = "500" },
    };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task AppendAsync_KafkaAnswers_EveryRecordReachesItsKeysPartitionOnceInAppendOrder()
    {
        var log = Open();
        var keys = Enumerable.Range(0, 12).Select(k => $"tnt_{k}:src:ev").ToList();
        var appended = new List<LogRecord>();
        for (var batch = 0; batch < 10; batch++)
        {
            var records = Enumerable.Range(0, 30).Select(i => Record(keys[(batch + i) % keys.Count], $"{batch:D2}-{i:D2}")).ToList();
            await log.AppendAsync(records, Token);
            appended.AddRange(records);
        }

        // The ends wait for everything acknowledged before the call to be in Kafka.
        Assert.Equal(300, (await log.GetEndPositionsAsync(Token)).Sum());
        var read = await ReadKafkaAsync(300);

        Assert.All(read, r => Assert.Equal(KeyPartitioner.ForKey(r.Key, KafkaPartitions), r.Partition));
        Assert.Equal(
            keys.ToDictionary(k => k, k => appended.Where(r => r.Key == k).Select(r => Text(r.Value)).ToList()),
            keys.ToDictionary(k => k, k => read.Where(r => r.Key == k).OrderBy(r => r.Position).Select(r => Text(r.Value)).ToList()));
        Assert.Equal((0L, true, false), (log.Pending, log.Health.Ready, log.Health.Degraded));
    }

    [Fact(Timeout = 300_000)]
    public async Task AppendAsync_KafkaDown_AcknowledgedFromTheBufferAndForwardedInOrderOnceKafkaIsBack()
    {
        var log = Open();
        var key = $"tnt_outage:src:ev";
        await log.AppendAsync([Record(key, "before")], Token);
        await ForwardedAsync(log);
        _cluster.TakeDown();

        for (var batch = 0; batch < 10; batch++)
        {
            await log.AppendAsync([.. Enumerable.Range(0, 20).Select(i => Record(key, $"during-{batch:D2}-{i:D2}"))], Token);
        }

        Assert.Equal(200, log.Pending);
        var health = await EventuallyAsync(() => log.Health, h => h.Details!["kafkaReachable"] is false);
        Assert.Equal((true, true, 200L), (health.Ready, health.Degraded, (long)health.Details!["pendingRecords"]));
        var forwarded = ForwardedAsync(log);

        _cluster.BringUp();
        await forwarded;
        var read = await ReadKafkaAsync(201);

        // Delivered in order, each at least once: a delivery that timed out during the outage is sent again.
        var values = read.OrderBy(r => r.Position).Select(r => Text(r.Value)).ToList();
        Assert.Equal(["before", .. Enumerable.Range(0, 10).SelectMany(b => Enumerable.Range(0, 20).Select(i => $"during-{b:D2}-{i:D2}"))], values.Distinct());
        Assert.Equal((0L, false), (log.Pending, log.Health.Degraded));
    }

    [Fact(Timeout = 300_000)]
    public async Task Forwarding_DeliveriesTimeOutWhileKafkaIsDown_StartsOverFromTheLastAcknowledgedPositionOnceItIsBack()
    {
        _kafka.Settings["message.timeout.ms"] = "1500";
        var log = Open();
        var key = "tnt_timeout:src:ev";
        await log.AppendAsync([Record(key, "before")], Token);
        await ForwardedAsync(log);
        _cluster.TakeDown();

        await log.AppendAsync([.. Enumerable.Range(0, 50).Select(i => Record(key, $"v{i:D2}"))], Token);
        var retrying = await EventuallyAsync(() => log.Health, h => h.Details!["forwarding"] is "retrying");
        Assert.Equal((true, true, 50L), (retrying.Ready, retrying.Degraded, (long)retrying.Details!["pendingRecords"]));
        Assert.True(retrying.Details.ContainsKey("lastError"));

        _cluster.BringUp();
        await ForwardedAsync(log);
        var read = await ReadKafkaAsync(51);
        Assert.Equal(["before", .. Enumerable.Range(0, 50).Select(i => $"v{i:D2}")], read.OrderBy(r => r.Position).Select(r => Text(r.Value)).Distinct());
        Assert.Equal((0L, false), (log.Pending, log.Health.Degraded));
    }

    [Fact(Timeout = 300_000)]
    public async Task Open_AfterACrashBetweenKafkasAcknowledgementAndTheCommit_SendsFromTheCommittedPositionAgain()
    {
        var key = "tnt_crash:src:ev";
        var partition = KeyPartitioner.ForKey(key, KafkaPartitions);
        var first = Open();
        await first.AppendAsync([.. Enumerable.Range(0, 100).Select(i => Record(key, $"v{i:D3}"))], Token);
        await ForwardedAsync(first);
        await first.DisposeAsync();

        // As if the process died after Kafka acknowledged 60-99 and before the forwarder committed past 60.
        await using (var buffer = FileEventLog.Open(_directory.Path, KafkaPartitions))
        await using (var forwarder = buffer.OpenConsumer(KafkaForwarder.Group))
        {
            Assert.True(await forwarder.CommitAsync(partition, 60, Token));
        }

        var resumed = Open();
        await ForwardedAsync(resumed);
        await resumed.DisposeAsync();

        // Started cleanly, it resumes where it was: only what is new goes.
        var again = Open();
        await again.AppendAsync([Record(key, "new")], Token);
        await ForwardedAsync(again);

        var read = await ReadKafkaAsync(141);
        Assert.Equal(
            [.. Enumerable.Range(0, 100).Select(i => $"v{i:D3}"), .. Enumerable.Range(60, 40).Select(i => $"v{i:D3}"), "new"],
            read.OrderBy(r => r.Position).Select(r => Text(r.Value)));
    }

    [Fact(Timeout = 300_000)]
    public async Task AppendAsync_BufferFullWhileKafkaIsDown_RefusedWholeNotReadyThenTakenOnceKafkaTookTheRest()
    {
        var log = Open(maxBytes: 64 * 1024);
        var keys = Enumerable.Range(0, 8).Select(k => $"tnt_full:src:{k}").ToList();
        _cluster.TakeDown();
        var accepted = new List<string>();
        List<LogRecord> Batch(string prefix) => [.. Enumerable.Range(0, 10).Select(i => Record(keys[i % keys.Count], $"{prefix}-{i}-{new string('p', 480)}"))];
        EventLogFullException? refused = null;
        for (var batch = 0; refused is null; batch++)
        {
            Assert.True(batch < 20, "the buffer never filled");
            try
            {
                await log.AppendAsync(Batch($"ok{batch:D2}"), Token);
                accepted.Add($"ok{batch:D2}");
            }
            catch (EventLogFullException full)
            {
                refused = full;
            }
        }

        Assert.Contains("EventLog:BufferMaxBytes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(accepted.Count * 10L, log.BufferEnds.Sum());
        var health = log.Health;
        Assert.Equal((false, true), (health.Ready, health.Details!["full"]));

        _cluster.BringUp();
        await ForwardedAsync(log);
        await EventuallyAsync(() => log.Health, h => h.Ready);
        await log.AppendAsync(Batch("retried"), Token);
        await ForwardedAsync(log);

        var read = await ReadKafkaAsync((accepted.Count + 1) * 10);
        Assert.Equal(
            [.. accepted.Append("retried").SelectMany(b => Enumerable.Range(0, 10).Select(i => $"{b}-{i}")).Order(StringComparer.Ordinal)],
            read.Select(r => Text(r.Value)[..(Text(r.Value).LastIndexOf('-'))]).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 300_000)]
    public async Task Forwarding_ManySegments_DeletesWhatKafkaTookSoTheBufferStaysSmall()
    {
        var log = Open(maxBytes: 1024 * 1024);
        var keys = Enumerable.Range(0, 16).Select(k => $"tnt_segments:src:{k}").ToList();
        for (var batch = 0; batch < 40; batch++)
        {
            await log.AppendAsync([.. Enumerable.Range(0, 50).Select(i => Record(keys[i % keys.Count], new string('s', 1000)))], Token);
            await ForwardedAsync(log);
        }

        // 2 MB went through a 1 MiB buffer of 64 KiB segments; each partition keeps one segment, under a quarter of one.
        Assert.Equal(2000, log.BufferEnds.Sum());
        Assert.True(log.SizeInBytes < KafkaPartitions * 16 * 1024, $"{log.SizeInBytes} bytes left");
        Assert.All(Enumerable.Range(0, KafkaPartitions), p => Assert.Single(Directory.GetFiles(Path.Combine(_directory.Path, $"p{p:D4}"), "*.seg")));
    }

    [Fact(Timeout = 300_000)]
    public async Task Open_ExistingBufferWhileKafkaIsDown_StartsAndTakesEvents()
    {
        var key = "tnt_restart:src:ev";
        var first = Open();
        await first.AppendAsync([Record(key, "one")], Token);
        await ForwardedAsync(first);
        await first.DisposeAsync();
        _cluster.TakeDown();

        // Asking Kafka for the topic's partitions now would throw; the buffer already knows them.
        var restarted = Open();
        await restarted.AppendAsync([Record(key, "two")], Token);

        Assert.Equal(1, restarted.Pending);
        _cluster.BringUp();
        await ForwardedAsync(restarted);
        Assert.Equal(["one", "two"], (await ReadKafkaAsync(2)).Select(r => Text(r.Value)));
    }

    public async ValueTask DisposeAsync()
    {
        _cluster.BringUp();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _cluster.Dispose();
        _directory.Dispose();
    }

    private static LogRecord Record(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));

    private static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    private static async Task<T> EventuallyAsync<T>(Func<T> observe, Func<T, bool> holds)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var observed = observe();
            if (holds(observed))
            {
                return observed;
            }

            Assert.True(clock.Elapsed < Deadline, $"still {observed} after {Deadline}");
            await Task.Delay(50, Token);
        }
    }

    /// <summary>Until Kafka acknowledged everything the buffer holds now.</summary>
    private static Task ForwardedAsync(BufferedKafkaEventLog log) => log.WaitForwardedAsync(log.BufferEnds, Token).WaitAsync(Deadline, Token);

    private BufferedKafkaEventLog Open(long maxBytes = 1024L * 1024 * 1024)
    {
        var log = BufferedKafkaEventLog.Open(_kafka, _directory.Path, maxBytes, NullLoggerFactory.Instance);
        _owned.Add(log);
        return log;
    }

    /// <summary>Reads <paramref name="count"/> records from the topic with a new group, then checks nothing more arrives.</summary>
    private async Task<List<StoredRecord>> ReadKafkaAsync(int count)
    {
        await using var kafka = new KafkaEventLog(_kafka);
        await using var consumer = kafka.OpenConsumer("check-" + Guid.NewGuid().ToString("N"));
        var records = new List<StoredRecord>();
        var clock = Stopwatch.StartNew();
        while (records.Count < count)
        {
            Assert.True(clock.Elapsed < Deadline, $"read {records.Count} of {count} records from Kafka");
            if (await consumer.ReadAsync(500, TimeSpan.FromSeconds(1), Token) is { } batch)
            {
                records.AddRange(batch.Records);
            }
        }

        Assert.Null(await consumer.ReadAsync(500, TimeSpan.FromMilliseconds(300), Token));
        return records;
    }
}
