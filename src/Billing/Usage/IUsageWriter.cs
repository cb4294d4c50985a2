namespace Tally.Billing.Usage;

/// <summary>
/// Where the aggregator writes per-minute usage. Every write names the log batch it came from, so a
/// batch replayed after a crash replaces its earlier rows instead of adding to them.
/// </summary>
public interface IUsageWriter
{
    /// <summary>Records that batch [start, end) of a partition is about to be written.</summary>
    Task MarkBatchAsync(int partition, long batchStart, long batchEnd, CancellationToken cancellationToken);

    /// <summary>Writes the rows folded from log batch [<paramref name="batchStart"/>, <paramref name="batchEnd"/>) of a partition.</summary>
    Task InsertAsync(IReadOnlyList<UsageRow> rows, int partition, long batchStart, long batchEnd, CancellationToken cancellationToken);

    /// <summary>
    /// The end of the longest batch ever started at (<paramref name="partition"/>, <paramref name="batchStart"/>),
    /// or null. A replay from that position must reach at least this end so its rows replace the earlier attempt's.
    /// </summary>
    Task<long?> FindUncommittedBatchEndAsync(int partition, long batchStart, CancellationToken cancellationToken);
}
