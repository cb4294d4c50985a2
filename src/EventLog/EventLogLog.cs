using Microsoft.Extensions.Logging;

namespace Tally.EventLog;

/// <summary>Every log message of the event log adapters, with stable event ids (3000-3099).</summary>
internal static partial class EventLogLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Opened embedded event log {Directory} with {Partitions} partitions and {Records} records")]
    public static partial void FileLogOpened(ILogger logger, string directory, int partitions, long records);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Embedded event log {Directory} failed to write; failing all pending appends")]
    public static partial void FileLogWriteFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Truncating torn tail of event log segment {SegmentPath}: {DroppedBytes} bytes after {RecordCount} intact records")]
    public static partial void TornTailTruncated(ILogger logger, string segmentPath, long droppedBytes, long recordCount);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Kafka event log on topic {Topic} at {BootstrapServers} with {Partitions} partitions")]
    public static partial void KafkaLogOpened(ILogger logger, string topic, string bootstrapServers, int partitions);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason}")]
    public static partial void ProducerError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Kafka consumer error in group {Group} {Code}: {Reason}")]
    public static partial void ConsumerError(ILogger logger, string group, string code, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Message}")]
    public static partial void Librdkafka(ILogger logger, string facility, string message);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Commit of partition {Partition} at {Position} for group {Group} refused after a rebalance: {Reason}")]
    public static partial void CommitRefused(ILogger logger, int partition, long position, string group, string reason);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information, Message = "Group {Group} assigned partitions {Partitions} of {Topic}")]
    public static partial void PartitionsAssigned(ILogger logger, string group, string partitions, string topic);
}
