using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Confluent.Kafka;
using Tally.Billing.EventLog;
using Tally.EventLog.Embedded;
using Tally.EventLog.Kafka;

namespace Tally.Benchmarks;

/// <summary>
/// The embedded log's durable append (fsync group commit) against bare idempotent Confluent produce to
/// librdkafka's in-process mock cluster, both with 100-record batches of ~220-byte CloudEvent-like JSON;
/// and the embedded log's sequential read rate (per record, via OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EventLogBenchmarks
{
    private const int BatchSize = 100;
    private const int ReadRecords = 100_000;
    private const int ConcurrentAppenders = 8;

    private LogRecord[] _batch = [];
    private string _directory = "";
    private FileEventLog? _log;
    private MockKafkaCluster? _cluster;
    private IProducer<string, byte[]>? _producer;
    private IProducer<string, byte[]>? _eagerProducer;
    private string _topic = "bench.events";
    private int _readGroup;

    [GlobalSetup]
    public void Setup()
    {
        _batch = [.. Enumerable.Range(0, BatchSize).Select(CloudEvent)];
        _directory = Directory.CreateTempSubdirectory("tally-eventlog-bench-").FullName;
        _log = FileEventLog.Open(_directory, partitions: 4);

        _cluster = new MockKafkaCluster();
        var config = new ProducerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        };
        _producer = new ProducerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build();

        // KafkaEventLog lingers 5 ms to batch; this one shows the mock's round trip without that wait.
        config.LingerMs = 0;
        _eagerProducer = new ProducerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build();

        // Fill the log for the read benchmark, and let the mock auto-create the topic before measuring.
        for (var i = 0; i < ReadRecords; i += BatchSize)
        {
            _log.AppendAsync(_batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        _producer.ProduceAsync(_topic, new Message<string, byte[]> { Key = "warmup", Value = [] }).GetAwaiter().GetResult();
        _eagerProducer.ProduceAsync(_topic, new Message<string, byte[]> { Key = "warmup", Value = [] }).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _producer?.Dispose();
        _eagerProducer?.Dispose();
        _cluster?.Dispose();
        _log?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Append100")]
    public Task KafkaMockProduce100() => ProduceBatchAsync(_producer!);

    [Benchmark]
    [BenchmarkCategory("Append100")]
    public Task KafkaMockProduce100Linger0() => ProduceBatchAsync(_eagerProducer!);

    [Benchmark]
    [BenchmarkCategory("Append100")]
    public async Task FileLogAppend100() => await _log!.AppendAsync(_batch, CancellationToken.None);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Append100x8Concurrent")]
    public Task KafkaMockProduce100x8Concurrent() =>
        Task.WhenAll(Enumerable.Range(0, ConcurrentAppenders).Select(_ => ProduceBatchAsync(_producer!)));

    [Benchmark]
    [BenchmarkCategory("Append100x8Concurrent")]
    public Task FileLogAppend100x8Concurrent() =>
        Task.WhenAll(Enumerable.Range(0, ConcurrentAppenders).Select(_ => _log!.AppendAsync(_batch, CancellationToken.None).AsTask()));

    /// <summary>Per-record time of a sequential scan from position 0 by a fresh group.</summary>
    [Benchmark(OperationsPerInvoke = ReadRecords)]
    [BenchmarkCategory("SequentialRead")]
    public async Task<long> FileLogReadPerRecord()
    {
        await using var consumer = _log!.OpenConsumer($"reader-{_readGroup++}");
        long read = 0;
        while (read < ReadRecords && await consumer.ReadAsync(1000, TimeSpan.Zero, CancellationToken.None) is { } batch)
        {
            read += batch.Records.Count;
        }

        return read;
    }

    private Task ProduceBatchAsync(IProducer<string, byte[]> producer)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = _batch.Length;
        foreach (var record in _batch)
        {
            var message = new Message<string, byte[]> { Key = record.Key, Value = record.Value.ToArray() };
            producer.Produce(_topic, message, report =>
            {
                if (report.Error.IsError)
                {
                    done.TrySetException(new KafkaException(report.Error));
                }
                else if (Interlocked.Decrement(ref remaining) == 0)
                {
                    done.TrySetResult();
                }
            });
        }

        return done.Task;
    }

    private static LogRecord CloudEvent(int i)
    {
        var json = string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"specversion":"1.0","id":"evt-{{{i:D8}}}-7f3a","source":"/tenants/acme","type":"tally.usage","datacontenttype":"application/json","subject":"customer-{{{i % 10:D3}}}","time":"2026-11-25T12:00:00Z","data":{"meter":"api_calls","value":{{{i % 97}}}}}""");
        return new LogRecord($"acme:customer-{i % 10:D3}", Encoding.UTF8.GetBytes(json));
    }
}
