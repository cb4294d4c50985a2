using Microsoft.Extensions.Logging;

namespace Tally.EventLog;

/// <summary>
/// Every log message of the event log adapters, with stable event ids (3000-3099): the embedded log uses
/// 3000-3009 and 3020-3039, Kafka 3010-3019, the ingest buffer in front of Kafka 3040-3059.
/// </summary>
internal static partial class EventLogLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Opened embedded event log {Directory} with {Partitions} partitions and {Records} records")]
    public static partial void FileLogOpened(ILogger logger, string directory, int partitions, long records);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Embedded event log {Directory} failed to write; refusing the group's appends, rolling it back and retrying with the next append")]
    public static partial void FileLogWriteFailed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Truncating torn tail of event log segment {SegmentPath}: {DroppedBytes} bytes after {RecordCount} intact records")]
    public static partial void TornTailTruncated(ILogger logger, string segmentPath, long droppedBytes, long recordCount);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Cutting {DroppedBytes} bytes of uncommitted records from event log segment {SegmentPath} after position {CommittedEnd}")]
    public static partial void UncommittedTailDropped(ILogger logger, string segmentPath, long droppedBytes, long committedEnd);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Deleting event log segment {SegmentPath}: it starts after the committed end {CommittedEnd}")]
    public static partial void UncommittedSegmentDeleted(ILogger logger, string segmentPath, long committedEnd);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Event log partition {Directory} holds {Intact} intact records but its commit journal counts {Committed}; the records in between are lost")]
    public static partial void CommittedRecordsMissing(ILogger logger, string directory, long committed, long intact);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Cutting a torn entry of {DroppedBytes} bytes from the event log commit journal {JournalPath}")]
    public static partial void JournalTailTruncated(ILogger logger, string journalPath, long droppedBytes);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Embedded event log {Directory} has no commit journal (written by an earlier version); its {Records} records count as committed")]
    public static partial void JournalAdopted(ILogger logger, string directory, long records);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Embedded event log {Directory} writes again after a write failure")]
    public static partial void FileLogRecovered(ILogger logger, string directory);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Could not roll back partition {Partition} of embedded event log {Directory} after a failed write; retrying before the next write")]
    public static partial void RollbackFailed(ILogger logger, Exception exception, int partition, string directory);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Kafka event log on topic {Topic} at {BootstrapServers} with {Partitions} partitions")]
    public static partial void KafkaLogOpened(ILogger logger, string topic, string bootstrapServers, int partitions);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason}")]
    public static partial void ProducerError(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Kafka consumer error in group {Group} {Code}: {Reason}")]
    public static partial void ConsumerError(ILogger logger, string group, string code, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Message}")]
    public static partial void Librdkafka(ILogger logger, string facility, string message);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Commit of partition {Partition} at {Position} for group {Group} not made: {Reason}")]
    public static partial void CommitRefused(ILogger logger, int partition, long position, string group, string reason);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information, Message = "Group {Group} assigned partitions {Partitions} of {Topic}")]
    public static partial void PartitionsAssigned(ILogger logger, string group, string partitions, string topic);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Could not compact the event log commit journal {JournalPath}; appending to it as before")]
    public static partial void JournalCompactionFailed(ILogger logger, Exception exception, string journalPath);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "Consumer of group {Group} did not close within {Seconds} s; its partitions move after the session timeout")]
    public static partial void CloseTimedOut(ILogger logger, string group, double seconds);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Warning, Message = "Could not delete released segments of partition {Partition} of event log {Directory}; a later release retries")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, int partition, string directory);

    [LoggerMessage(EventId = 3040, Level = LogLevel.Information, Message = "Ingest buffer {Directory}: {Partitions} partitions, {Pending} records not yet in Kafka topic {Topic}, at most {MaxBytes} bytes")]
    public static partial void BufferOpened(ILogger logger, string directory, int partitions, long pending, string topic, long maxBytes);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Information, Message = "Forwarding the ingest buffer to Kafka topic {Topic} ({KafkaPartitions} partitions) from positions {Positions}")]
    public static partial void ForwardingStarted(ILogger logger, string topic, int kafkaPartitions, string positions);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Warning, Message = "Forwarding the ingest buffer to Kafka stopped ({Reason}); {Pending} records wait in the buffer, retrying in {Seconds} s")]
    public static partial void ForwardingFailed(ILogger logger, string reason, long pending, double seconds);

    [LoggerMessage(EventId = 3043, Level = LogLevel.Warning, Message = "Ingest buffer {Directory} is full ({Bytes} of {MaxBytes} bytes, {Pending} records waiting for Kafka); refusing events with 503 until Kafka takes records again")]
    public static partial void BufferFull(ILogger logger, string directory, long bytes, long maxBytes, long pending);

    [LoggerMessage(EventId = 3044, Level = LogLevel.Information, Message = "Ingest buffer {Directory} has room again ({Bytes} of {MaxBytes} bytes)")]
    public static partial void BufferHasRoom(ILogger logger, string directory, long bytes, long maxBytes);

    [LoggerMessage(EventId = 3045, Level = LogLevel.Information, Message = "Ingest buffer drained to Kafka before stopping")]
    public static partial void BufferDrained(ILogger logger);

    [LoggerMessage(EventId = 3046, Level = LogLevel.Warning, Message = "Stopping with {Pending} records of the ingest buffer not yet in Kafka; they are forwarded at the next start on this data directory")]
    public static partial void BufferLeftPending(ILogger logger, long pending);
}
