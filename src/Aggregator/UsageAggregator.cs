using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.EventLog;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Aggregator;

/// <summary>
/// Consumes the usage event log and writes per-minute usage to ClickHouse, each acknowledged event
/// counted exactly once. Per batch: mark it, write its rows, then commit its end position. After a
/// crash the batch is replayed from the committed position to at least the marked end, so its rows
/// replace the earlier attempt's rows key for key instead of adding to them.
/// </summary>
public sealed class UsageAggregator(
    IEventLog log,
    IUsageWriter usage,
    IMeterStore meters,
    AggregatorMetrics metrics,
    TimeProvider clock,
    IOptions<AggregatorOptions> options,
    ILogger<UsageAggregator> logger)
{
    private readonly Dictionary<int, PendingBatch> _pending = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var consumer = log.OpenConsumer(settings.ConsumerGroup);
        AggregatorLog.Started(logger, settings.ConsumerGroup);
        var wait = TimeSpan.FromMilliseconds(settings.MaxWaitMilliseconds);
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await consumer.ReadAsync(settings.MaxBatchRecords, wait, cancellationToken);
            if (batch is null)
            {
                continue;
            }

            var pending = Accumulate(batch);
            pending.ReplayEnd ??= await usage.FindUncommittedBatchEndAsync(batch.Partition, pending.Start, cancellationToken) ?? -1;
            if (pending.Next < pending.ReplayEnd)
            {
                continue;
            }

            if (pending.ReplayEnd > pending.Start)
            {
                AggregatorLog.Replaying(logger, batch.Partition, pending.Start, pending.ReplayEnd.Value);
            }

            await WriteWithRetryAsync(pending, batch.Partition, cancellationToken);
            _pending.Remove(batch.Partition);
            if (await consumer.CommitAsync(batch.Partition, pending.Next, cancellationToken))
            {
                metrics.Committed(batch.Partition, pending.Next - pending.Start);
            }
            else
            {
                AggregatorLog.Revoked(logger, batch.Partition, pending.Next);
            }
        }
    }

    private PendingBatch Accumulate(LogBatch batch)
    {
        // A batch that does not continue the pending one means the partition was reassigned and
        // restarted from its committed position: drop what was read before.
        if (!_pending.TryGetValue(batch.Partition, out var pending) || pending.Next != batch.FirstPosition)
        {
            pending = new PendingBatch(batch.FirstPosition);
            _pending[batch.Partition] = pending;
        }

        pending.Records.AddRange(batch.Records);
        pending.Next = batch.NextPosition;
        return pending;
    }

    private async Task WriteWithRetryAsync(PendingBatch pending, int partition, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var catalog = new MeterCatalog(await meters.ListAllAsync(cancellationToken));
                var folded = UsageFolder.Fold(pending.Records, catalog);
                if (folded.RejectedMeasurements + folded.UnreadableRecords > 0)
                {
                    AggregatorLog.Rejected(logger, partition, pending.Start, pending.Next, folded.RejectedMeasurements, folded.UnreadableRecords);
                }

                await usage.MarkBatchAsync(partition, pending.Start, pending.Next, cancellationToken);
                await usage.InsertAsync(folded.Rows, partition, pending.Start, pending.Next, cancellationToken);
                AggregatorLog.Folded(logger, partition, pending.Start, pending.Next, folded.Rows.Count);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                AggregatorLog.WriteFailed(logger, ex, partition, pending.Start, pending.Next);
                await Task.Delay(TimeSpan.FromMilliseconds(options.Value.RetryDelayMilliseconds), clock, cancellationToken);
            }
        }
    }

    private sealed class PendingBatch(long start)
    {
        public long Start { get; } = start;

        public long Next { get; set; } = start;

        public long? ReplayEnd { get; set; }

        public List<StoredRecord> Records { get; } = [];
    }
}
