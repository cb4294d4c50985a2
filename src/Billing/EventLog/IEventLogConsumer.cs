namespace Tally.Billing.EventLog;

/// <summary>Reads batches from the partitions assigned to it and commits positions.</summary>
public interface IEventLogConsumer : IAsyncDisposable
{
    /// <summary>
    /// Returns the next batch of one assigned partition: at most <paramref name="maxRecords"/>
    /// consecutive records, starting right after what this consumer last returned for that partition
    /// (or at the committed position when the partition was just assigned). Returns null when nothing
    /// arrived within <paramref name="maxWait"/>.
    /// </summary>
    ValueTask<LogBatch?> ReadAsync(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>
    /// Durably records that everything before <paramref name="nextPosition"/> in
    /// <paramref name="partition"/> is processed. Returns false if the partition is no longer assigned
    /// to this consumer (a rebalance moved it); the new owner resumes from the last committed position.
    /// </summary>
    ValueTask<bool> CommitAsync(int partition, long nextPosition, CancellationToken cancellationToken);

    /// <summary>The committed position of a partition for this consumer's group (0 if none).</summary>
    ValueTask<long> GetCommittedAsync(int partition, CancellationToken cancellationToken);
}
