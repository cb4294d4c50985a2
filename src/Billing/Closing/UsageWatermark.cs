using Tally.Billing.EventLog;

namespace Tally.Billing.Closing;

/// <summary>
/// The aggregator's watermark over the event log: a snapshot of every partition's end, reached once the
/// aggregator's consumer group has committed at least that far in each (it commits only what it stored).
/// Positions say how far processing got; what an event is stays its identity.
/// </summary>
public sealed class UsageWatermark(IEventLogProgress log, string aggregatorGroup) : IUsageWatermark
{
    public async Task<IReadOnlyList<long>> SnapshotAsync(CancellationToken cancellationToken) =>
        await log.GetEndPositionsAsync(cancellationToken);

    public async Task<bool> ReachedAsync(IReadOnlyList<long> snapshot, CancellationToken cancellationToken)
    {
        var committed = await log.GetCommittedPositionsAsync(aggregatorGroup, cancellationToken);
        return snapshot.Select((end, partition) => partition < committed.Count && committed[partition] >= end).All(reached => reached);
    }
}
