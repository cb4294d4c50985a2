namespace Tally.Billing.EventLog;

/// <summary>
/// The durable, partitioned usage event log between Ingest and the Aggregator. Two implementations:
/// Kafka (production) and an embedded on-disk log (one machine). Everything downstream is the same code.
/// </summary>
public interface IEventLog : IAsyncDisposable
{
    /// <summary>Number of partitions; a record's partition is a stable hash of its key.</summary>
    int PartitionCount { get; }

    /// <summary>Whether appends currently succeed; reported by <c>/readyz</c>.</summary>
    EventLogHealth Health { get; }

    /// <summary>
    /// Appends records and completes only once every one of them is durable (fsync'd on disk, or
    /// acknowledged by all in-sync Kafka replicas). If it throws, any subset may have been stored.
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<LogRecord> records, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a consumer in <paramref name="group"/>. Consumers of one group share the partitions
    /// (Kafka rebalances them; the embedded log gives one consumer all of them) and each resumes from
    /// the group's committed position.
    /// </summary>
    IEventLogConsumer OpenConsumer(string group);
}
