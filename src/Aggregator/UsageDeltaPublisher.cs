using Tally.Billing.EventLog;
using Tally.Billing.Events;
using Tally.Billing.Usage;

namespace Tally.Aggregator;

/// <summary>
/// Publishes what the aggregator stored to the usage delta topic, one record per tenant and subject
/// of a batch (key <c>{tenant}:{subject}</c>, so one subject's deltas stay in order), each event with
/// its log partition and position. Without a delta log (no rating stage configured) it does nothing.
/// </summary>
public sealed class UsageDeltaPublisher(IEventLog? log)
{
    /// <summary>Publishes the stored events of several partitions in one append (one durable write).</summary>
    public async ValueTask PublishAsync(IReadOnlyList<(int Partition, IReadOnlyList<StoredEvent> Stored)> batches, CancellationToken cancellationToken)
    {
        if (log is null || batches.All(b => b.Stored.Count == 0))
        {
            return;
        }

        var records = batches
            .SelectMany(batch => batch.Stored
                .GroupBy(e => (e.Identity.TenantId, e.Subject))
                .Select(group =>
                {
                    var delta = new UsageDelta(
                        group.Key.TenantId,
                        group.Key.Subject,
                        batch.Partition,
                        [.. group.OrderBy(e => e.Position).Select(e => new DeltaEvent(e.Position, e.Type, e.Time, e.Identity.Source, e.Identity.Id, e.Data))]);
                    return new LogRecord(delta.Key, delta.Encode());
                }))
            .ToList();
        await log.AppendAsync(records, cancellationToken);
    }
}
