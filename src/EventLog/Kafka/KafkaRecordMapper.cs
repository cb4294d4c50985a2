using System.Runtime.InteropServices;
using Confluent.Kafka;
using Tally.Billing.EventLog;

namespace Tally.EventLog.Kafka;

/// <summary>
/// The one place that converts between Confluent's message types and the log's records, so the rest
/// of Tally never depends on how Kafka represents a message.
/// </summary>
internal static class KafkaRecordMapper
{
    public static Message<string, byte[]> ToMessage(LogRecord record) => new()
    {
        Key = record.Key,
        Value = MemoryMarshal.TryGetArray(record.Value, out var segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : record.Value.ToArray(),
    };

    public static StoredRecord ToStoredRecord(ConsumeResult<string, byte[]> result) => new(
        result.Partition.Value,
        result.Offset.Value,
        result.Message.Key ?? string.Empty,
        result.Message.Value ?? []);

    /// <summary>Kafka commits the offset of the next record to read, which is exactly a log position.</summary>
    public static TopicPartitionOffset ToCommitOffset(string topic, int partition, long nextPosition) =>
        new(topic, new Partition(partition), new Offset(nextPosition));

    public static long ToPosition(TopicPartitionOffset committed) =>
        committed.Offset.Value < 0 ? 0 : committed.Offset.Value;
}
