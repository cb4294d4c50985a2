using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Kafka;

/// <summary>
/// The event log on a Kafka topic. Records go to an explicit partition computed by Tally's own key hash
/// (Kafka's murmur2, the Java client's default) rather than librdkafka's default partitioner (CRC32-based),
/// so a key maps to the same partition number as in the embedded log and as with Java producers.
/// The producer is idempotent with <c>acks=all</c>; <see cref="AppendAsync"/> waits for every delivery.
/// </summary>
public sealed class KafkaEventLog : IEventLog, IEventLogProgress
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(30);

    private readonly KafkaOptions _options;
    private readonly IProducer<string, byte[]> _producer;
    private int _disposed;
    private readonly ILogger _logger;
    private volatile bool _brokersDown;

    /// <summary>
    /// Connects a producer to <see cref="KafkaOptions.BootstrapServers"/> and reads the topic's partition
    /// count (asking for the topic's metadata auto-creates it where the cluster allows that).
    /// </summary>
    public KafkaEventLog(KafkaOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            throw new ArgumentException("Kafka:BootstrapServers is required for the Kafka event log.", nameof(options));
        }

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        var config = new ProducerConfig(new Dictionary<string, string>(options.Settings))
        {
            BootstrapServers = options.BootstrapServers,
        };
        if (!options.Settings.ContainsKey("linger.ms"))
        {
            config.LingerMs = 5;
        }

        // The contract says "durable once AppendAsync completes", so these two are not overridable.
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        _producer = new ProducerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, error) =>
            {
                _brokersDown = error.Code == ErrorCode.Local_AllBrokersDown;
                EventLogLog.ProducerError(_logger, error.Code.ToString(), error.Reason);
            })
            .SetLogHandler((_, message) => EventLogLog.Librdkafka(_logger, message.Facility, message.Message))
            .Build();
        try
        {
            PartitionCount = KafkaTopicMetadata.ReadPartitionCount(_producer.Handle, options, MetadataTimeout);
        }
        catch
        {
            _producer.Dispose();
            throw;
        }

        EventLogLog.KafkaLogOpened(_logger, options.Topic, options.BootstrapServers, PartitionCount);
    }

    /// <inheritdoc />
    public int PartitionCount { get; }

    /// <inheritdoc />
    public EventLogHealth Health => _brokersDown
        ? EventLogHealth.Unhealthy($"no Kafka broker of '{_options.BootstrapServers}' is reachable")
        : EventLogHealth.Healthy($"Kafka topic '{_options.Topic}' at '{_options.BootstrapServers}'");

    /// <summary>The topic this log writes to.</summary>
    public string Topic => _options.Topic;

    /// <inheritdoc />
    public async ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var deliveries = new DeliveryTracker(records.Count);
        foreach (var record in records)
        {
            var partition = new TopicPartition(_options.Topic, KeyPartitioner.ForKey(record.Key, PartitionCount));
            var message = KafkaRecordMapper.ToMessage(record);
            while (true)
            {
                try
                {
                    _producer.Produce(partition, message, report =>
                    {
                        if (!report.Error.IsError)
                        {
                            _brokersDown = false;
                        }

                        deliveries.Complete(report.Error);
                    });
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // librdkafka's queue drains as the background poller delivers; back off briefly.
                    await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await deliveries.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public IEventLogConsumer OpenConsumer(string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        return new KafkaEventLogConsumer(_options, group, _logger);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<long>> GetEndPositionsAsync(CancellationToken cancellationToken)
    {
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        var result = await admin.ListOffsetsAsync(
            Enumerable.Range(0, PartitionCount).Select(p => new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(_options.Topic, p), OffsetSpec = OffsetSpec.Latest() }),
            new ListOffsetsOptions { RequestTimeout = MetadataTimeout }).WaitAsync(cancellationToken).ConfigureAwait(false);
        var ends = new long[PartitionCount];
        foreach (var info in result.ResultInfos)
        {
            ends[info.TopicPartitionOffsetError.Partition.Value] = info.TopicPartitionOffsetError.Offset.Value;
        }

        return ends;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<long>> GetCommittedPositionsAsync(string group, CancellationToken cancellationToken)
    {
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        var result = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, [.. Enumerable.Range(0, PartitionCount).Select(p => new TopicPartition(_options.Topic, p))])],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = MetadataTimeout }).WaitAsync(cancellationToken).ConfigureAwait(false);
        var committed = new long[PartitionCount];
        foreach (var partition in result.Single().Partitions)
        {
            committed[partition.Partition.Value] = KafkaRecordMapper.ToPosition(partition.TopicPartitionOffset);
        }

        return committed;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        // Once only: a log registered under more than one service is disposed by each (a second Flush of the
        // destroyed handle threw from the host's shutdown).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return ValueTask.CompletedTask;
        }

        // Every completed AppendAsync is already acknowledged; flushing only helps abandoned appends.
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class DeliveryTracker(int count)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly int _count = count;
        private int _remaining = count;
        private int _failed;
        private Error? _firstError;

        public Task Task => _done.Task;

        public void Complete(Error error)
        {
            if (error.IsError && Interlocked.Increment(ref _failed) == 1)
            {
                _firstError = error;
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                if (Volatile.Read(ref _failed) == 0)
                {
                    _done.TrySetResult();
                }
                else
                {
                    _done.TrySetException(new IOException(
                        $"Kafka did not acknowledge {_failed} of {_count} records: {_firstError!.Reason}",
                        new KafkaException(_firstError)));
                }
            }
        }
    }
}
