using Tally.Billing.EventLog;
using Tally.Billing.Events;

namespace Tally.Aggregator;

/// <summary>
/// What one cycle of the <see cref="UsageAggregator"/> stored: at most one batch per log partition, all of
/// whose new events went into the store in one INSERT, and what is left to make durable before their
/// positions are committed (touched hours, rejected records, usage deltas, identities).
/// </summary>
internal sealed record AggregationCycle(IReadOnlyList<StoredBatch> Batches, IReadOnlyList<RejectedEvent> Rejected)
{
    /// <summary>Every event the cycle stored, in the order of its batches.</summary>
    public IReadOnlyList<StoredEvent> Stored => [.. Batches.SelectMany(b => b.Stored)];

    /// <summary>
    /// The identities the cycle stored, per partition: until its tail has added them to the identity index,
    /// the next cycle judges its events against these as well as against the index.
    /// </summary>
    public Dictionary<int, Dictionary<UInt128, ulong>> Identities() =>
        Batches.ToDictionary(b => b.Batch.Partition, b => b.Stored.ToDictionary(e => e.IdentityDigest, e => e.PayloadDigest));
}

/// <summary>A log batch of a cycle and what became of its records.</summary>
internal sealed record StoredBatch(LogBatch Batch, IReadOnlyList<StoredEvent> Stored, int Resent, int Rejected);
