using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Kafka;

/// <summary>
/// The ingest buffer's way into the event topic: an idempotent producer with <c>acks=all</c> (not overridable, as
/// in <see cref="KafkaEventLog"/>), records placed by Tally's own key hash so a key lands in the partition direct
/// appends would give it. One instance per forwarding session: after a fatal error (an idempotent producer whose
/// sequence the cluster no longer knows, e.g. after it lost its data) the session ends and a new one starts with
/// a fresh producer.
/// </summary>
internal sealed class KafkaForwardingProducer : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly string _topic;
    private volatile string? _fatal;

    private KafkaForwardingProducer(IProducer<string, byte[]> producer, string topic, int partitionCount)
    {
        _producer = producer;
        _topic = topic;
        PartitionCount = partitionCount;
    }

    /// <summary>The topic's partition count when the session began.</summary>
    public int PartitionCount { get; }

    /// <summary>Why librdkafka declared this producer unusable, or null while it is usable.</summary>
    public string? Fatal => _fatal;

    /// <summary>
    /// Connects and reads the topic's partition count; throws when Kafka does not answer within
    /// <paramref name="timeout"/>. <paramref name="reachable"/> hears whether the brokers answer, from librdkafka's threads.
    /// </summary>
    public static KafkaForwardingProducer Connect(KafkaOptions options, TimeSpan timeout, Action<bool> reachable, ILogger logger)
    {
        var config = new ProducerConfig(new Dictionary<string, string>(options.Settings))
        {
            BootstrapServers = options.BootstrapServers,
        };
        if (!options.Settings.ContainsKey("linger.ms"))
        {
            config.LingerMs = 5;
        }

        // A delivery still unconfirmed after this fails, and the session starts over from the last acknowledged
        // position: librdkafka's default of five minutes would leave an outage's first records waiting that long.
        if (!options.Settings.ContainsKey("message.timeout.ms"))
        {
            config.MessageTimeoutMs = 30_000;
        }

        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        KafkaForwardingProducer? self = null;
        var producer = new ProducerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal && self is not null)
                {
                    self._fatal = error.Reason;
                }

                if (error.Code is ErrorCode.Local_AllBrokersDown)
                {
                    reachable(false);
                }

                EventLogLog.ProducerError(logger, error.Code.ToString(), error.Reason);
            })
            .SetLogHandler((_, message) => EventLogLog.Librdkafka(logger, message.Facility, message.Message))
            .Build();
        try
        {
            var partitions = KafkaTopicMetadata.ReadPartitionCount(producer.Handle, options, timeout);
            reachable(true);
            self = new KafkaForwardingProducer(producer, options.Topic, partitions);
            return self;
        }
        catch
        {
            reachable(false);
            producer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Queues <paramref name="record"/> for the partition of its key; <paramref name="delivered"/> runs on librdkafka's
    /// thread with null once Kafka acknowledged it, or with the reason it was not. Waits while librdkafka's queue is full.
    /// </summary>
    public async ValueTask ProduceAsync(StoredRecord record, Action<string?> delivered, CancellationToken cancellationToken)
    {
        var partition = new TopicPartition(_topic, KeyPartitioner.ForKey(record.Key, PartitionCount));
        var message = KafkaRecordMapper.ToMessage(new LogRecord(record.Key, record.Value));
        while (true)
        {
            try
            {
                _producer.Produce(partition, message, report => delivered(report.Error.IsError ? $"{report.Error.Code}: {report.Error.Reason}" : null));
                return;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for queued records to be delivered or to fail.</summary>
    public void Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose() => _producer.Dispose();
}
